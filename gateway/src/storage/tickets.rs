//! The SQL both backends run for handoff tickets. The statements are the
//! same but for their placeholders: written with PostgreSQL's `$n`, and
//! read by SQLite as `?n` (numbered, so the order of binds is the same).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::{StorageError, StorageResult, Ticket, TicketStatus, parse_label, parse_reason};

/// Inserts a ticket unless the conversation has an active one (the partial
/// unique index `tickets_one_active` decides, on both backends).
pub(super) const INSERT: &str = "INSERT INTO tickets (id, store_id, conversation_id, status, label, reason, language, product_ids, assignee,
        contact_email, created_at, updated_at, resolved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT DO NOTHING";

pub(super) const ACTIVE: &str = "SELECT id, store_id, conversation_id, status, label, reason, language, product_ids, assignee, contact_email,
        created_at, updated_at, resolved_at
     FROM tickets WHERE store_id = $1 AND conversation_id = $2 AND status <> 'resolved'";

pub(super) const GET: &str = "SELECT id, store_id, conversation_id, status, label, reason, language, product_ids, assignee, contact_email,
        created_at, updated_at, resolved_at
     FROM tickets WHERE store_id = $1 AND id = $2";

/// `$2`..`$4`: whether open, claimed and resolved tickets are wanted.
pub(super) const LIST: &str = "SELECT id, store_id, conversation_id, status, label, reason, language, product_ids, assignee, contact_email,
        created_at, updated_at, resolved_at
     FROM tickets
     WHERE store_id = $1
       AND ((status = 'open' AND $2) OR (status = 'claimed' AND $3) OR (status = 'resolved' AND $4))
     ORDER BY CASE label WHEN 'urgent' THEN 0 WHEN 'escalate' THEN 1 ELSE 2 END, created_at, id
     LIMIT $5";

pub(super) const CLAIM: &str = "UPDATE tickets SET status = 'claimed', assignee = $3, updated_at = $4
     WHERE store_id = $1 AND id = $2 AND (status = 'open' OR (status = 'claimed' AND assignee = $3))";

pub(super) const RESOLVE: &str = "UPDATE tickets SET status = 'resolved', updated_at = $3, resolved_at = $3
     WHERE store_id = $1 AND id = $2 AND status <> 'resolved'";

pub(super) const SET_CONTACT: &str = "UPDATE tickets SET contact_email = $3, updated_at = $4 WHERE store_id = $1 AND id = $2";

/// `template` for SQLite: `$n` becomes `?n`.
pub(super) fn for_sqlite(template: &'static str) -> Cow<'static, str> {
    Cow::Owned(template.replace('$', "?"))
}

/// `template` as PostgreSQL reads it.
pub(super) fn for_postgres(template: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(template)
}

/// The one [`TicketStore`](super::TicketStore) implementation, for a
/// backend whose `db()` lends a connection, its dialect's statements from
/// `$dialect`.
macro_rules! ticket_store {
    ($backend:ty, $dialect:path) => {
        #[async_trait::async_trait]
        impl $crate::storage::TicketStore for $backend {
            async fn open_ticket(&self, ticket: &Ticket) -> StorageResult<(Ticket, bool)> {
                let inserted = bind_ticket!(sqlx::query(&$dialect(tickets::INSERT)), ticket).execute(&mut *self.db().await?).await?.rows_affected() == 1;
                let active = self.active_ticket(&ticket.store_id, &ticket.conversation_id).await?;
                // Resolved between the insert and the read: report the one asked for.
                Ok((active.unwrap_or_else(|| ticket.clone()), inserted))
            }

            async fn active_ticket(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Ticket>> {
                let row: Option<TicketRow> =
                    sqlx::query_as(&$dialect(tickets::ACTIVE)).bind(store_id).bind(conversation_id).fetch_optional(&mut *self.db().await?).await?;
                row.map(TicketRow::into_ticket).transpose()
            }

            async fn get_ticket(&self, store_id: &str, ticket_id: &str) -> StorageResult<Option<Ticket>> {
                let row: Option<TicketRow> =
                    sqlx::query_as(&$dialect(tickets::GET)).bind(store_id).bind(ticket_id).fetch_optional(&mut *self.db().await?).await?;
                row.map(TicketRow::into_ticket).transpose()
            }

            async fn list_tickets(&self, store_id: &str, statuses: &[TicketStatus], limit: usize) -> StorageResult<Vec<Ticket>> {
                let [open, claimed, resolved] = tickets::wanted(statuses);
                let rows: Vec<TicketRow> = sqlx::query_as(&$dialect(tickets::LIST))
                    .bind(store_id)
                    .bind(open)
                    .bind(claimed)
                    .bind(resolved)
                    .bind(limit.min(10_000) as i64)
                    .fetch_all(&mut *self.db().await?)
                    .await?;
                rows.into_iter().map(TicketRow::into_ticket).collect()
            }

            async fn claim_ticket(&self, store_id: &str, ticket_id: &str, agent: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>> {
                let updated = sqlx::query(&$dialect(tickets::CLAIM))
                    .bind(store_id)
                    .bind(ticket_id)
                    .bind(agent)
                    .bind(micros(at))
                    .execute(&mut *self.db().await?)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    return Ok(None);
                }
                self.get_ticket(store_id, ticket_id).await
            }

            async fn resolve_ticket(&self, store_id: &str, ticket_id: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>> {
                let updated = sqlx::query(&$dialect(tickets::RESOLVE))
                    .bind(store_id)
                    .bind(ticket_id)
                    .bind(micros(at))
                    .execute(&mut *self.db().await?)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    return Ok(None);
                }
                self.get_ticket(store_id, ticket_id).await
            }

            async fn set_ticket_contact(&self, store_id: &str, ticket_id: &str, email: &str, at: DateTime<Utc>) -> StorageResult<()> {
                sqlx::query(&$dialect(tickets::SET_CONTACT))
                    .bind(store_id)
                    .bind(ticket_id)
                    .bind(email)
                    .bind(micros(at))
                    .execute(&mut *self.db().await?)
                    .await?;
                Ok(())
            }
        }
    };
}
pub(super) use ticket_store;

/// Which states a list asks for, as the three flags `LIST` binds.
pub(super) fn wanted(statuses: &[TicketStatus]) -> [bool; 3] {
    [TicketStatus::Open, TicketStatus::Claimed, TicketStatus::Resolved].map(|s| statuses.contains(&s))
}

/// A ticket row as both backends return it.
#[derive(sqlx::FromRow)]
pub(super) struct TicketRow {
    id: String,
    store_id: String,
    conversation_id: String,
    status: String,
    label: String,
    reason: String,
    language: String,
    product_ids: Json<Vec<String>>,
    assignee: Option<String>,
    contact_email: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

impl TicketRow {
    pub fn into_ticket(self) -> StorageResult<Ticket> {
        let status = TicketStatus::parse(&self.status).ok_or_else(|| StorageError::Corrupt(format!("ticket `{}` has status `{}`", self.id, self.status)))?;
        let label = parse_label(Some(self.label.clone())).ok_or_else(|| StorageError::Corrupt(format!("ticket `{}` has label `{}`", self.id, self.label)))?;
        Ok(Ticket {
            reason: parse_reason(&self.reason),
            id: self.id,
            store_id: self.store_id,
            conversation_id: self.conversation_id,
            status,
            label,
            language: self.language,
            product_ids: self.product_ids.0,
            assignee: self.assignee,
            contact_email: self.contact_email,
            created_at: self.created_at,
            updated_at: self.updated_at,
            resolved_at: self.resolved_at,
        })
    }
}

/// Binds a ticket's 13 columns in `INSERT`'s order.
macro_rules! bind_ticket {
    ($query:expr, $ticket:expr) => {
        $query
            .bind(&$ticket.id)
            .bind(&$ticket.store_id)
            .bind(&$ticket.conversation_id)
            .bind($ticket.status.as_str())
            .bind($ticket.label.as_str())
            .bind(super::reason_word($ticket.reason))
            .bind(&$ticket.language)
            .bind(sqlx::types::Json(&$ticket.product_ids))
            .bind(&$ticket.assignee)
            .bind(&$ticket.contact_email)
            .bind(micros($ticket.created_at))
            .bind(micros($ticket.updated_at))
            .bind($ticket.resolved_at.map(micros))
    };
}
pub(super) use bind_ticket;
