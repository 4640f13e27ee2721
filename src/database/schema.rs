//! The tables an adapter writes, as data: one [`Schema`] per adapter (presets) or per app
//! (renamed tables and columns), identifiers validated once and always quoted.

use std::fmt;

use crate::error::Error;

/// The longest identifier PostgreSQL keeps (`NAMEDATALEN - 1`); longer names would be
/// truncated silently, so they are refused.
const MAX_IDENT_LEN: usize = 63;

/// A table or column name: ASCII letters, digits and `_`, not starting with a digit, at most
/// 63 bytes. Always written double-quoted, so case is kept (`"sessionToken"`, `"User"`).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Ident(Box<str>);

impl Ident {
    /// Validates a configured name.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty or over-long name or one with other characters.
    pub(crate) fn new(name: &str) -> Result<Self, Error> {
        let bytes = name.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= MAX_IDENT_LEN
            && !bytes[0].is_ascii_digit()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if valid {
            Ok(Self(name.into()))
        } else {
            Err(Error::Config(
                "a table or column name must be 1-63 ASCII letters, digits or '_', not starting with a digit",
            ))
        }
    }

    fn preset(name: &'static str) -> Self {
        Self(name.into())
    }

    /// The name as configured.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// `"name"`: validation leaves nothing to escape, the quotes keep the case.
    pub(crate) fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A column the lookup reads, by its role. [`Schema::column`] renames it (Prisma's `@map`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Column {
    /// The session table's token column, `sessionToken`.
    SessionToken,
    /// The session table's reference to its user, `userId`.
    SessionUserId,
    /// When the session expires, `expires`.
    SessionExpires,
    /// The user table's key, `id`.
    UserId,
    /// `name` (may be NULL).
    UserName,
    /// `email` (may be NULL).
    UserEmail,
    /// `image` (may be NULL).
    UserImage,
    /// `emailVerified` (an instant, may be NULL).
    UserEmailVerified,
}

impl Column {
    const ALL: [Self; 8] = [
        Self::SessionToken,
        Self::SessionUserId,
        Self::SessionExpires,
        Self::UserId,
        Self::UserName,
        Self::UserEmail,
        Self::UserImage,
        Self::UserEmailVerified,
    ];

    /// The adapters' name for the column, which is also the key of the field in the user
    /// object the adapters return.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Self::SessionToken => "sessionToken",
            Self::SessionUserId => "userId",
            Self::SessionExpires => "expires",
            Self::UserId => "id",
            Self::UserName => "name",
            Self::UserEmail => "email",
            Self::UserImage => "image",
            Self::UserEmailVerified => "emailVerified",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The user columns, in the order the adapters' tables declare them.
    pub(crate) const USER: [Self; 5] = [
        Self::UserId,
        Self::UserName,
        Self::UserEmail,
        Self::UserEmailVerified,
        Self::UserImage,
    ];
}

/// How an integer in a time column is read (SQLite has no time type: the adapters store
/// instants as integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IntegerTime {
    /// Unix milliseconds: drizzle's `timestamp_ms` mode (the drizzle adapter's SQLite tables)
    /// and Prisma's SQLite `DateTime`. The default.
    #[default]
    Millis,
    /// Unix seconds: drizzle's `timestamp` mode.
    Seconds,
}

/// Where an adapter keeps sessions and users: table names, column names, and which user
/// columns hold instants. Presets for the Auth.js adapters by [`Schema::by_name`]; every name
/// can be changed (Prisma's `@map` / `@@map`, a drizzle schema of one's own).
///
/// Names are validated when set ([`Error::Config`] otherwise) and always double-quoted in
/// SQL; the token is always a bound parameter.
///
/// | preset | user table | session table | ids | times in PostgreSQL | times in SQLite |
/// |---|---|---|---|---|---|
/// | `pg` (@auth/pg-adapter) | `users` | `sessions` | integer | `timestamptz` | - |
/// | `drizzle` (@auth/drizzle-adapter) | `user` | `session` | text | `timestamp` (UTC) | integer ms |
/// | `prisma` (@auth/prisma-adapter, documented schema) | `User` | `Session` | text | `timestamp(3)` (UTC) | integer ms (`DateTime`) |
/// | `kysely` (@auth/kysely-adapter) | `User` | `Session` | uuid | `timestamptz` | - |
/// | `better-auth` (Better Auth's core schema) | `user` | `session` (by `token`, `expiresAt`) | text | `timestamptz` | ISO text |
///
/// Every preset uses the adapters' column names: `sessionToken`, `userId`, `expires`, `id`,
/// `name`, `email`, `emailVerified`, `image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    name: &'static str,
    namespace: Option<Ident>,
    user_table: Ident,
    session_table: Ident,
    columns: [Ident; 8],
    time_columns: Vec<Ident>,
    integer_time: IntegerTime,
    /// Better Auth: `emailVerified` is a boolean, not an instant; the session row is part of
    /// the answer; the session's own time columns.
    email_verified_bool: bool,
    session_row: bool,
    session_time_columns: Vec<Ident>,
}

impl Schema {
    /// The preset of an adapter: `"pg"`, `"drizzle"`, `"prisma"`, `"kysely"`, or
    /// `"better-auth"` (Better Auth's own tables, for
    /// [`BetterAuth::session`](crate::better_auth::BetterAuth::session) with feature
    /// `better-auth`); `None` for any other name.
    pub fn by_name(name: &str) -> Option<Self> {
        if name == "better-auth" {
            return Some(Self::better_auth());
        }
        let (name, user, session, times): (&'static str, _, _, &[&'static str]) = match name {
            "pg" => ("pg", "users", "sessions", &[]),
            "drizzle" => ("drizzle", "user", "session", &[]),
            "prisma" => ("prisma", "User", "Session", &["createdAt", "updatedAt"]),
            "kysely" => ("kysely", "User", "Session", &[]),
            _ => return None,
        };
        Some(Self {
            name,
            namespace: None,
            user_table: Ident::preset(user),
            session_table: Ident::preset(session),
            columns: Column::ALL.map(|c| Ident::preset(c.field())),
            time_columns: times.iter().map(|t| Ident::preset(t)).collect(),
            integer_time: IntegerTime::Millis,
            email_verified_bool: false,
            session_row: false,
            session_time_columns: Vec::new(),
        })
    }

    /// Better Auth's core schema (`better-auth migrate`): `"user"` and `"session"`, the
    /// session looked up by `token`, `expiresAt`, a boolean `emailVerified`, and the session
    /// row returned with the user (`getSession` answers both).
    fn better_auth() -> Self {
        let mut columns = Column::ALL.map(|c| Ident::preset(c.field()));
        columns[Column::SessionToken.index()] = Ident::preset("token");
        columns[Column::SessionExpires.index()] = Ident::preset("expiresAt");
        Self {
            name: "better-auth",
            namespace: None,
            user_table: Ident::preset("user"),
            session_table: Ident::preset("session"),
            columns,
            time_columns: vec![Ident::preset("createdAt"), Ident::preset("updatedAt")],
            integer_time: IntegerTime::Millis,
            email_verified_bool: true,
            session_row: true,
            session_time_columns: ["expiresAt", "createdAt", "updatedAt"]
                .map(Ident::preset)
                .to_vec(),
        }
    }

    /// The preset this schema started from.
    pub fn preset(&self) -> &'static str {
        self.name
    }

    /// Renames the user table.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid identifier (see [`Schema`]).
    pub fn user_table(mut self, name: &str) -> Result<Self, Error> {
        self.user_table = Ident::new(name)?;
        Ok(self)
    }

    /// Renames the session table.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid identifier.
    pub fn session_table(mut self, name: &str) -> Result<Self, Error> {
        self.session_table = Ident::new(name)?;
        Ok(self)
    }

    /// Renames a column. The user object keeps the adapters' key for it (`name`, `email`,
    /// ...), as the adapter's client would return it.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid identifier.
    pub fn column(mut self, column: Column, name: &str) -> Result<Self, Error> {
        self.columns[column.index()] = Ident::new(name)?;
        Ok(self)
    }

    /// Reads the tables from this PostgreSQL schema (`auth`, ...) instead of the connection's
    /// `search_path`.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid identifier.
    pub fn namespace(mut self, name: &str) -> Result<Self, Error> {
        self.namespace = Some(Ident::new(name)?);
        Ok(self)
    }

    /// Marks one more user column as an instant, rendered as an ISO string in
    /// [`DatabaseSession::user`](crate::database::DatabaseSession::user). PostgreSQL
    /// `timestamp` / `timestamptz` columns and SQLite columns declared with `DATE` or `TIME`
    /// in their type are recognized without it.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid identifier.
    pub fn time_column(mut self, name: &str) -> Result<Self, Error> {
        self.time_columns.push(Ident::new(name)?);
        Ok(self)
    }

    /// How integers in SQLite time columns are read. Default [`IntegerTime::Millis`].
    pub fn integer_time(mut self, unit: IntegerTime) -> Self {
        self.integer_time = unit;
        self
    }

    pub(crate) fn ident(&self, column: Column) -> &Ident {
        &self.columns[column.index()]
    }

    pub(crate) fn integer_unit(&self) -> IntegerTime {
        self.integer_time
    }

    /// `"ns"."table"` or `"table"`.
    pub(crate) fn qualified(&self, table: &Ident) -> String {
        match &self.namespace {
            Some(ns) => format!("{}.{}", ns.quoted(), table.quoted()),
            None => table.quoted(),
        }
    }

    pub(crate) fn user_table_ident(&self) -> &Ident {
        &self.user_table
    }

    pub(crate) fn session_table_ident(&self) -> &Ident {
        &self.session_table
    }

    pub(crate) fn namespace_ident(&self) -> Option<&Ident> {
        self.namespace.as_ref()
    }

    /// Whether the user column `name` was marked as an instant.
    pub(crate) fn is_time_column(&self, name: &str) -> bool {
        (!self.email_verified_bool && name == self.ident(Column::UserEmailVerified).as_str())
            || self.time_columns.iter().any(|t| t.as_str() == name)
    }

    /// Whether the user column `name` is a boolean (stored as 0 / 1 in SQLite).
    pub(crate) fn is_bool_column(&self, name: &str) -> bool {
        self.email_verified_bool && name == self.ident(Column::UserEmailVerified).as_str()
    }

    /// Whether the answer includes the session row (Better Auth).
    pub(crate) fn returns_session_row(&self) -> bool {
        self.session_row
    }

    /// Whether the session column `name` is an instant (where the database cannot say).
    pub(crate) fn is_session_time_column(&self, name: &str) -> bool {
        self.session_time_columns.iter().any(|t| t.as_str() == name)
    }

    /// The key of a user column in the user object: the adapters' field name for the columns
    /// with a role, the column's own name for the others.
    pub(crate) fn user_key<'a>(&self, column: &'a str) -> &'a str {
        Column::USER
            .iter()
            .find(|c| self.ident(**c).as_str() == column)
            .map_or(column, |c| c.field())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_validated() {
        for good in [
            "users",
            "User",
            "session_token",
            "_x",
            "a1",
            &"a".repeat(63),
        ] {
            assert!(Ident::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1users",
            "user\"; drop table users; --",
            "a b",
            "a.b",
            "é",
            "a\0",
            "a-b",
            &"a".repeat(64),
        ] {
            assert!(matches!(Ident::new(bad), Err(Error::Config(_))), "{bad:?}");
        }
        assert_eq!(Ident::new("User").unwrap().quoted(), "\"User\"");
    }

    #[test]
    fn presets_and_renames() {
        assert!(Schema::by_name("mysql").is_none());
        let prisma = Schema::by_name("prisma").unwrap();
        assert_eq!(prisma.preset(), "prisma");
        assert_eq!(prisma.qualified(prisma.user_table_ident()), "\"User\"");
        assert!(prisma.is_time_column("createdAt"));
        assert!(prisma.is_time_column("emailVerified"));
        assert!(!prisma.is_time_column("name"));
        let mapped = prisma
            .namespace("auth")
            .unwrap()
            .session_table("sessions")
            .unwrap()
            .column(Column::UserEmailVerified, "email_verified")
            .unwrap()
            .column(Column::SessionToken, "session_token")
            .unwrap();
        assert_eq!(
            mapped.qualified(mapped.session_table_ident()),
            "\"auth\".\"sessions\""
        );
        assert_eq!(
            mapped.ident(Column::SessionToken).quoted(),
            "\"session_token\""
        );
        assert_eq!(mapped.user_key("email_verified"), "emailVerified");
        assert_eq!(mapped.user_key("role"), "role");
        assert!(mapped.is_time_column("email_verified"));
        assert!(!mapped.is_time_column("emailVerified"));
        assert!(
            Schema::by_name("pg")
                .unwrap()
                .column(Column::UserId, "id\"")
                .is_err()
        );
    }
}
