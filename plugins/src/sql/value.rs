//! Column values from the databases' binary wire formats into [`SqlValue`].
//! Numbers that do not fit an `f64` exactly (NUMERIC, DECIMAL) become text;
//! dates and times become RFC 3339 text. The decoders read the raw bytes
//! themselves so that edge values (`infinity`, MySQL zero dates) map to a
//! value or an error, never to a panic in the host.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use sqlx::mysql::{MySqlRow, MySqlTypeInfo};
use sqlx::postgres::{PgRow, PgTypeInfo, PgTypeKind};
use sqlx::{Column, Row, TypeInfo, ValueRef};

use crate::grants::SqlValue;

/// Why a column could not be read.
pub(crate) enum ColumnError {
    /// The column's type has no mapping; the message says how to cast it.
    Unsupported(String),
    /// The bytes did not match the type the database announced.
    Malformed(String),
}

/// Approximate size of a value as the plugin receives it, for the byte cap.
pub(crate) fn value_size(value: &SqlValue) -> u64 {
    match value {
        SqlValue::Null | SqlValue::Boolean(_) => 1,
        SqlValue::Integer(_) | SqlValue::Double(_) => 8,
        SqlValue::Text(text) => text.len() as u64,
        SqlValue::Blob(bytes) => bytes.len() as u64,
    }
}

// ---- PostgreSQL -----------------------------------------------------------

/// Built-in type OIDs (`pg_type.dat`); stable across PostgreSQL versions.
mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const JSON: u32 = 114;
    pub const XML: u32 = 142;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const UNKNOWN: u32 = 705;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const NUMERIC: u32 = 1700;
    pub const UUID: u32 = 2950;
    pub const JSONB: u32 = 3802;
    /// OIDs below this belong to the system catalogue (`FirstNormalObjectId`).
    pub const FIRST_USER: u32 = 16384;
}

/// Reads column `index` of a PostgreSQL row (binary format).
pub(crate) fn pg_value(row: &PgRow, index: usize) -> Result<SqlValue, ColumnError> {
    let column = &row.columns()[index];
    let raw = row.try_get_raw(index).map_err(|e| ColumnError::Malformed(e.to_string()))?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    let bytes = raw.as_bytes().map_err(|e| ColumnError::Malformed(e.to_string()))?;
    pg_decode(column.type_info(), bytes).map_err(|error| match error {
        ColumnError::Unsupported(type_name) => ColumnError::Unsupported(format!(
            "column `{name}` has PostgreSQL type {type_name}, which host-sql does not map; \
             cast it in the statement, e.g. `{name}::text`",
            name = column.name()
        )),
        ColumnError::Malformed(why) => ColumnError::Malformed(format!("column `{}` ({}): {why}", column.name(), column.type_info().name())),
    })
}

fn pg_decode(ty: &PgTypeInfo, bytes: &[u8]) -> Result<SqlValue, ColumnError> {
    match ty.kind() {
        PgTypeKind::Enum(_) => return text(bytes),
        PgTypeKind::Domain(base) => return pg_decode(base, bytes),
        _ => {}
    }
    let Some(type_oid) = ty.oid().map(|o| o.0) else {
        return Err(ColumnError::Unsupported(ty.name().to_string()));
    };
    match type_oid {
        oid::BOOL => Ok(SqlValue::Boolean(fixed::<1>(bytes)?[0] != 0)),
        oid::INT2 => Ok(SqlValue::Integer(i16::from_be_bytes(fixed(bytes)?).into())),
        oid::INT4 => Ok(SqlValue::Integer(i32::from_be_bytes(fixed(bytes)?).into())),
        oid::INT8 => Ok(SqlValue::Integer(i64::from_be_bytes(fixed(bytes)?))),
        oid::OID => Ok(SqlValue::Integer(u32::from_be_bytes(fixed(bytes)?).into())),
        oid::FLOAT4 => Ok(SqlValue::Double(f32::from_be_bytes(fixed(bytes)?).into())),
        oid::FLOAT8 => Ok(SqlValue::Double(f64::from_be_bytes(fixed(bytes)?))),
        oid::NUMERIC => pg_numeric(bytes).map(SqlValue::Text),
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::CHAR | oid::UNKNOWN | oid::XML | oid::JSON => text(bytes),
        oid::JSONB => match bytes.split_first() {
            Some((1, json)) => text(json),
            _ => Err(ColumnError::Malformed("unknown JSONB wire version".into())),
        },
        oid::BYTEA => Ok(SqlValue::Blob(bytes.to_vec())),
        oid::UUID => Ok(SqlValue::Text(uuid_text(&fixed::<16>(bytes)?))),
        oid::DATE => pg_date(i32::from_be_bytes(fixed(bytes)?)).map(SqlValue::Text),
        oid::TIME => pg_time(i64::from_be_bytes(fixed(bytes)?)).map(SqlValue::Text),
        oid::TIMESTAMP => pg_timestamp(i64::from_be_bytes(fixed(bytes)?), false).map(SqlValue::Text),
        oid::TIMESTAMPTZ => pg_timestamp(i64::from_be_bytes(fixed(bytes)?), true).map(SqlValue::Text),
        // Types from extensions (citext, ...) usually send their text form;
        // accept them when the bytes are plain text, refuse binary layouts.
        user if user >= oid::FIRST_USER && matches!(ty.kind(), PgTypeKind::Simple) => match std::str::from_utf8(bytes) {
            Ok(s) if !s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) => Ok(SqlValue::Text(s.to_string())),
            _ => Err(ColumnError::Unsupported(ty.name().to_string())),
        },
        _ => Err(ColumnError::Unsupported(ty.name().to_string())),
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], ColumnError> {
    bytes.try_into().map_err(|_| ColumnError::Malformed(format!("expected {N} bytes, got {}", bytes.len())))
}

fn text(bytes: &[u8]) -> Result<SqlValue, ColumnError> {
    std::str::from_utf8(bytes).map(|s| SqlValue::Text(s.to_string())).map_err(|e| ColumnError::Malformed(format!("text is not UTF-8: {e}")))
}

fn uuid_text(b: &[u8; 16]) -> String {
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// PostgreSQL's binary NUMERIC (base-10000 digits, weight, sign, display
/// scale) as the decimal text `numeric_out` would print.
pub(crate) fn pg_numeric(bytes: &[u8]) -> Result<String, ColumnError> {
    let malformed = || ColumnError::Malformed("truncated NUMERIC value".into());
    let word = |i: usize| -> Result<u16, ColumnError> { bytes.get(i * 2..i * 2 + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(malformed) };
    let ndigits = word(0)? as usize;
    let weight = word(1)? as i16 as i64;
    let sign = word(2)?;
    let dscale = word(3)? as i64;
    let digits = (0..ndigits).map(|i| word(4 + i)).collect::<Result<Vec<u16>, _>>()?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        other => {
            return Err(ColumnError::Malformed(format!("unknown NUMERIC sign {other:#x}")));
        }
    }
    if digits.iter().any(|&d| d > 9999) {
        return Err(ColumnError::Malformed("NUMERIC digit out of range".into()));
    }
    let digit = |group: i64| -> u16 { usize::try_from(group).ok().and_then(|g| digits.get(g).copied()).unwrap_or(0) };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        out.push_str(&digit(0).to_string());
        for group in 1..=weight {
            out.push_str(&format!("{:04}", digit(group)));
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut fraction = String::new();
        let mut group = weight + 1;
        while (fraction.len() as i64) < dscale {
            fraction.push_str(&format!("{:04}", digit(group)));
            group += 1;
        }
        fraction.truncate(dscale as usize);
        out.push_str(&fraction);
    }
    Ok(out)
}

fn pg_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("2000-01-01 is a valid date").and_hms_opt(0, 0, 0).expect("midnight is a valid time")
}

fn out_of_range() -> ColumnError {
    ColumnError::Malformed("date or time out of the representable range".into())
}

fn pg_date(days: i32) -> Result<String, ColumnError> {
    match days {
        i32::MAX => Ok("infinity".into()),
        i32::MIN => Ok("-infinity".into()),
        days => pg_epoch().date().checked_add_signed(Duration::days(days.into())).map(|d| d.format("%Y-%m-%d").to_string()).ok_or_else(out_of_range),
    }
}

fn pg_time(micros: i64) -> Result<String, ColumnError> {
    let seconds = u32::try_from(micros.div_euclid(1_000_000)).map_err(|_| out_of_range())?;
    let micros = micros.rem_euclid(1_000_000) as u32;
    // 24:00:00 is a valid PostgreSQL time; chrono has no such value.
    if seconds == 86_400 && micros == 0 {
        return Ok("24:00:00".into());
    }
    let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, micros * 1000).ok_or_else(out_of_range)?;
    Ok(format!("{}{}", time.format("%H:%M:%S"), fraction(micros)))
}

fn pg_timestamp(micros: i64, utc: bool) -> Result<String, ColumnError> {
    match micros {
        i64::MAX => return Ok("infinity".into()),
        i64::MIN => return Ok("-infinity".into()),
        _ => {}
    }
    let at = pg_epoch().checked_add_signed(Duration::microseconds(micros)).ok_or_else(out_of_range)?;
    Ok(date_time_text(at, utc))
}

/// `YYYY-MM-DDTHH:MM:SS[.fff[fff]]`, with `Z` for a UTC instant. A
/// timestamp without time zone has no offset to print, so it gets none.
fn date_time_text(at: NaiveDateTime, utc: bool) -> String {
    format!("{}{}{}", at.format("%Y-%m-%dT%H:%M:%S"), fraction(at.nanosecond() / 1000), if utc { "Z" } else { "" })
}

/// Fractional seconds as RFC 3339 allows: none, milliseconds or
/// microseconds, whichever is exact.
fn fraction(micros: u32) -> String {
    match micros {
        0 => String::new(),
        m if m % 1000 == 0 => format!(".{:03}", m / 1000),
        m => format!(".{m:06}"),
    }
}

// ---- MySQL / MariaDB ------------------------------------------------------

/// Reads column `index` of a MySQL/MariaDB row (binary protocol).
pub(crate) fn mysql_value(row: &MySqlRow, index: usize) -> Result<SqlValue, ColumnError> {
    let column = &row.columns()[index];
    let raw = row.try_get_raw(index).map_err(|e| ColumnError::Malformed(e.to_string()))?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    mysql_decode(row, index, column.type_info()).map_err(|error| match error {
        ColumnError::Unsupported(type_name) => ColumnError::Unsupported(format!(
            "column `{name}` has MySQL type {type_name}, which host-sql does not map; \
             convert it in the statement, e.g. `CAST({name} AS CHAR)`",
            name = column.name()
        )),
        ColumnError::Malformed(why) => ColumnError::Malformed(format!("column `{}` ({}): {why}", column.name(), column.type_info().name())),
    })
}

fn mysql_decode(row: &MySqlRow, index: usize, ty: &MySqlTypeInfo) -> Result<SqlValue, ColumnError> {
    let malformed = |e: sqlx::Error| ColumnError::Malformed(e.to_string());
    let bytes = || row.try_get_unchecked::<&[u8], _>(index).map_err(malformed);
    match ty.name() {
        // MySQL has no boolean type: BOOLEAN is TINYINT(1) and may hold any
        // TINYINT, so it stays an integer.
        "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
            row.try_get_unchecked::<i64, _>(index).map(SqlValue::Integer).map_err(malformed)
        }
        "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED" | "BIGINT UNSIGNED" | "BIT" => {
            let value = row.try_get_unchecked::<u64, _>(index).map_err(malformed)?;
            Ok(i64::try_from(value).map_or_else(|_| SqlValue::Text(value.to_string()), SqlValue::Integer))
        }
        "FLOAT" => row.try_get_unchecked::<f32, _>(index).map(|f| SqlValue::Double(f.into())).map_err(malformed),
        "DOUBLE" => row.try_get_unchecked::<f64, _>(index).map(SqlValue::Double).map_err(malformed),
        "DECIMAL" | "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM" | "SET" | "JSON" => text(bytes()?),
        // The wire marks binary strings and text in a binary (`_bin`)
        // collation alike, MariaDB's JSON columns among them, and sqlx does
        // not pass the character set on. UTF-8 is read as text, anything
        // else as a blob.
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
            let bytes = bytes()?;
            Ok(match std::str::from_utf8(bytes) {
                Ok(text) => SqlValue::Text(text.to_string()),
                Err(_) => SqlValue::Blob(bytes.to_vec()),
            })
        }
        "DATE" => mysql_date_time(bytes()?, DateShape::Date),
        "DATETIME" => mysql_date_time(bytes()?, DateShape::DateTime),
        // sqlx sets the session time zone to UTC, so TIMESTAMP values are UTC.
        "TIMESTAMP" => mysql_date_time(bytes()?, DateShape::Timestamp),
        "TIME" => mysql_time(bytes()?).map(SqlValue::Text),
        "NULL" => Ok(SqlValue::Null),
        other => Err(ColumnError::Unsupported(other.to_string())),
    }
}

enum DateShape {
    Date,
    DateTime,
    Timestamp,
}

/// Binary protocol DATE/DATETIME/TIMESTAMP: a length byte, then year (u16
/// LE), month, day, and optionally hour, minute, second and microseconds.
/// The zero date (`0000-00-00`, length 0) is no date at all, so it reads as
/// NULL, as most MySQL drivers do.
fn mysql_date_time(bytes: &[u8], shape: DateShape) -> Result<SqlValue, ColumnError> {
    let malformed = || ColumnError::Malformed("truncated date/time value".into());
    let (&len, rest) = bytes.split_first().ok_or_else(malformed)?;
    let rest = rest.get(..len as usize).ok_or_else(malformed)?;
    if len == 0 {
        return Ok(SqlValue::Null);
    }
    let b = |i: usize| rest.get(i).copied().unwrap_or(0);
    let year = u16::from_le_bytes([b(0), b(1)]);
    let date = format!("{year:04}-{:02}-{:02}", b(2), b(3));
    if matches!(shape, DateShape::Date) {
        return Ok(SqlValue::Text(date));
    }
    let micros = u32::from_le_bytes([b(7), b(8), b(9), b(10)]);
    Ok(SqlValue::Text(format!(
        "{date}T{:02}:{:02}:{:02}{}{}",
        b(4),
        b(5),
        b(6),
        fraction(micros),
        if matches!(shape, DateShape::Timestamp) { "Z" } else { "" }
    )))
}

/// Binary protocol TIME, which is a duration (up to ±838:59:59), printed as
/// MySQL prints it: `[-]H:MM:SS[.ffffff]`.
fn mysql_time(bytes: &[u8]) -> Result<String, ColumnError> {
    let malformed = || ColumnError::Malformed("truncated TIME value".into());
    let (&len, rest) = bytes.split_first().ok_or_else(malformed)?;
    let rest = rest.get(..len as usize).ok_or_else(malformed)?;
    if len == 0 {
        return Ok("00:00:00".into());
    }
    let b = |i: usize| rest.get(i).copied().unwrap_or(0);
    let negative = b(0) == 1;
    let days = u32::from_le_bytes([b(1), b(2), b(3), b(4)]);
    let hours = u64::from(days) * 24 + u64::from(b(5));
    let micros = u32::from_le_bytes([b(8), b(9), b(10), b(11)]);
    Ok(format!("{}{hours:02}:{:02}:{:02}{}", if negative { "-" } else { "" }, b(6), b(7), fraction(micros)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> String {
        let mut bytes = Vec::new();
        for word in [ndigits, weight as u16, sign, dscale].into_iter().chain(digits.iter().copied()) {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        match pg_numeric(&bytes) {
            Ok(text) => text,
            Err(_) => panic!("valid numeric"),
        }
    }

    #[test]
    fn numeric_prints_like_postgres() {
        assert_eq!(numeric(0, 0, 0, 0, &[]), "0");
        assert_eq!(numeric(0, 0, 0, 2, &[]), "0.00");
        assert_eq!(numeric(2, 0, 0, 3, &[123, 4560]), "123.456");
        assert_eq!(numeric(1, -1, 0x4000, 3, &[10]), "-0.001");
        assert_eq!(numeric(1, -2, 0, 6, &[1200]), "0.000012");
        assert_eq!(numeric(1, 5, 0, 0, &[1]), "100000000000000000000");
        assert_eq!(numeric(3, 1, 0, 2, &[1234, 5678, 9000]), "12345678.90");
        assert_eq!(numeric(0, 0, 0xC000, 0, &[]), "NaN");
        assert_eq!(numeric(0, 0, 0xF000, 0, &[]), "-Infinity");
    }

    #[test]
    fn postgres_times_are_rfc3339_and_infinity_does_not_panic() {
        assert_eq!(pg_date(0).ok(), Some("2000-01-01".into()));
        assert_eq!(pg_date(i32::MAX).ok(), Some("infinity".into()));
        assert!(pg_date(i32::MAX - 1).is_err());
        assert_eq!(pg_timestamp(1_500_000, true).ok(), Some("2000-01-01T00:00:01.500Z".into()));
        assert_eq!(pg_timestamp(-1, false).ok(), Some("1999-12-31T23:59:59.999999".into()));
        assert_eq!(pg_timestamp(i64::MIN, true).ok(), Some("-infinity".into()));
        assert!(pg_timestamp(i64::MAX - 1, true).is_err());
        assert_eq!(pg_time(86_400_000_000).ok(), Some("24:00:00".into()));
        assert_eq!(pg_time(3_723_000_001).ok(), Some("01:02:03.000001".into()));
    }

    #[test]
    fn mysql_dates_and_durations() {
        let text = |v: Result<SqlValue, ColumnError>| match v {
            Ok(SqlValue::Text(t)) => t,
            Ok(SqlValue::Null) => "NULL".into(),
            _ => panic!("expected text"),
        };
        assert_eq!(text(mysql_date_time(&[4, 0xE8, 0x07, 2, 29], DateShape::Date)), "2024-02-29");
        assert_eq!(text(mysql_date_time(&[11, 0xE8, 0x07, 2, 29, 13, 5, 9, 0x78, 0xE0, 0x01, 0], DateShape::Timestamp)), "2024-02-29T13:05:09.123Z");
        assert_eq!(text(mysql_date_time(&[0], DateShape::DateTime)), "NULL");
        assert_eq!(mysql_time(&[8, 1, 1, 0, 0, 0, 2, 3, 4]).ok(), Some("-26:03:04".into()));
    }
}
