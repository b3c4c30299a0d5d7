//! Stage 4: the gate between the model's text and the shopper. Model text
//! is cut into sentences as it streams; each sentence is released (a
//! `token` event) only once it passes: no claim of stock, price, shipping
//! or order status that the turn's tool results do not back, and no
//! assistant-mode slip ("as an AI language model"). The first sentence
//! that fails stops the round's release; the turn then regenerates once,
//! with the backing tool forced and a firmer instruction, and if that
//! still fails, each failing sentence is replaced by a safe one in the
//! shopper's language. What the gate released is exactly what the
//! transcript records.

use tokio::sync::mpsc;

use super::ChatEvent;
use crate::claims::{Evidence, SentenceSplitter, SentenceVerdict, check_sentence};
use crate::tools::ToolOutcome;

/// Regenerations one turn may ask for.
pub(super) const REGENERATIONS: u32 = 1;
/// A sentence of fewer words waits for the next one.
const LEAD_WORDS: usize = 4;

pub(super) struct Gate {
    tx: mpsc::Sender<ChatEvent>,
    language: &'static str,
    evidence: Evidence,
    splitter: SentenceSplitter,
    released: String,
    /// Sentences already sent, normalised: a regenerated answer that
    /// repeats one does not send it twice.
    sent: Vec<String>,
    /// The first failing sentence of this answer, and those after it.
    held: Option<Held>,
    /// A very short sentence ("Yes!", "Sí.", "Да!") waiting for the next:
    /// on its own it says nothing checkable, but it answers the question,
    /// so it goes out only with the sentence that says what it affirms.
    lead: String,
    regenerations: u32,
}

struct Held {
    verdict: SentenceVerdict,
    sentences: Vec<String>,
}

/// What the model loop does when an answer is complete.
pub(super) enum AnswerEnd {
    /// Everything passed (or was replaced): the answer is final.
    Final,
    /// Ask the model again: force these tools, add this instruction.
    Regenerate { tools: Vec<&'static str>, instruction: String },
}

impl Gate {
    pub fn new(tx: mpsc::Sender<ChatEvent>, language: &'static str, evidence: Evidence) -> Self {
        Self {
            tx,
            language,
            evidence,
            splitter: SentenceSplitter::new(),
            released: String::new(),
            sent: Vec::new(),
            held: None,
            lead: String::new(),
            regenerations: 0,
        }
    }

    /// Model text as it streams in.
    pub async fn push(&mut self, text: &str) {
        for sentence in self.splitter.push(text) {
            self.offer(sentence).await;
        }
    }

    /// A tool answered: its result may back what the model says next.
    pub fn tool_result(&mut self, outcome: &ToolOutcome) {
        self.evidence.add(outcome);
    }

    /// The model finished an answer (a round without tool calls, or the
    /// last round). Returns whether to regenerate.
    pub async fn end_answer(&mut self) -> AnswerEnd {
        if let Some(rest) = self.splitter.finish() {
            self.offer(rest).await;
        }
        if !self.lead.is_empty() {
            let lead = std::mem::take(&mut self.lead);
            self.check_and_release(lead).await;
        }
        let Some(held) = self.held.take() else { return AnswerEnd::Final };
        if self.regenerations < REGENERATIONS {
            self.regenerations += 1;
            tracing::info!(language = self.language, unbacked = ?held.verdict.unbacked().map(|c| c.claim.kind).collect::<Vec<_>>(), slip = held.verdict.slip, "answer held back; regenerating");
            return AnswerEnd::Regenerate { tools: held.verdict.tools_to_force(), instruction: held.verdict.regeneration_instruction() };
        }
        // Still failing: send what passes now, a safe sentence for the rest.
        let mut replaced: Vec<&'static str> = Vec::new();
        for sentence in held.sentences {
            let verdict = check_sentence(&sentence, self.language, &self.evidence);
            match verdict.replacement {
                None => self.release(sentence).await,
                Some(safe) if !replaced.contains(&safe) => {
                    tracing::warn!(language = self.language, "unbacked sentence replaced by a safe one");
                    replaced.push(safe);
                    let before = if self.released.is_empty() || self.released.ends_with(char::is_whitespace) { "" } else { " " };
                    // Keep the spacing the replaced sentence had after it.
                    let after: String = sentence.chars().rev().take_while(|c| c.is_whitespace()).collect::<Vec<_>>().into_iter().rev().collect();
                    let after = if after.is_empty() { " ".to_owned() } else { after };
                    self.release(format!("{before}{safe}{after}")).await;
                }
                Some(_) => {}
            }
        }
        AnswerEnd::Final
    }

    /// The end of the turn: returns everything released.
    pub fn finish(self) -> String {
        self.released
    }

    async fn offer(&mut self, sentence: String) {
        if let Some(held) = &mut self.held {
            held.sentences.push(sentence);
            return;
        }
        if sentence.split_whitespace().count() < LEAD_WORDS {
            self.lead.push_str(&sentence);
            return;
        }
        let sentence = std::mem::take(&mut self.lead) + &sentence;
        self.check_and_release(sentence).await;
    }

    async fn check_and_release(&mut self, sentence: String) {
        let key = normalise(&sentence);
        if !key.is_empty() && self.sent.contains(&key) {
            return;
        }
        let verdict = check_sentence(&sentence, self.language, &self.evidence);
        if verdict.passes() {
            self.sent.push(key);
            self.release(sentence).await;
        } else {
            self.held = Some(Held { verdict, sentences: vec![sentence] });
        }
    }

    async fn release(&mut self, text: String) {
        self.released.push_str(&text);
        // A closed channel means the shopper left; the turn still completes.
        let _ = self.tx.send(ChatEvent::Token { text }).await;
    }
}

fn normalise(sentence: &str) -> String {
    sentence.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}
