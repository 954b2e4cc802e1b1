//! A small builder for dynamic WHERE clauses with numbered placeholders (`$1, $2 …`), which both
//! backends accept through `sqlx::Any`. Values are always bound, never spliced into the SQL.

use sqlx::any::AnyArguments;
use sqlx::query::Query;

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(i64),
}

/// Conditions joined with AND, and the values they bind, in order.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Conditions {
    fn next(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// `sql` with `?` standing for one text value.
    pub fn text(&mut self, sql: &str, value: impl Into<String>) -> &mut Self {
        let placeholder = self.next(Value::Text(value.into()));
        self.clauses.push(sql.replace('?', &placeholder));
        self
    }

    /// `sql` whose `?`s stand, in order, for these text values (as many as there are `?`s).
    pub fn texts(&mut self, sql: &str, values: &[&str]) -> &mut Self {
        let mut parts = sql.split('?');
        let mut clause = parts.next().unwrap_or_default().to_string();
        for (part, value) in parts.zip(values) {
            let placeholder = self.next(Value::Text(value.to_string()));
            clause.push_str(&placeholder);
            clause.push_str(part);
        }
        self.clauses.push(clause);
        self
    }

    /// A condition that binds nothing (`x.id IS NULL`).
    pub fn plain(&mut self, sql: &str) -> &mut Self {
        self.clauses.push(sql.to_string());
        self
    }

    /// `sql` with `?` standing for one integer value.
    pub fn int(&mut self, sql: &str, value: i64) -> &mut Self {
        let placeholder = self.next(Value::Int(value));
        self.clauses.push(sql.replace('?', &placeholder));
        self
    }

    /// `column IN (…)` over text values; nothing when the list is empty.
    pub fn any_of<'a>(&mut self, column: &str, values: impl IntoIterator<Item = &'a str>) -> &mut Self {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.next(Value::Text(v.to_string()))).collect();
        if !placeholders.is_empty() {
            self.clauses.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
        self
    }

    /// `WHERE …`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!("WHERE {}", self.clauses.join(" AND ")) }
    }

    /// How many values are bound so far (the next placeholder is this plus one).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Binds the values to a query built from `sql()`.
    pub fn bind<'q>(&self, mut query: AnyQuery<'q>) -> AnyQuery<'q> {
        for value in &self.values {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_in_order() {
        let mut c = Conditions::default();
        assert_eq!(c.sql(), "");
        c.text("a.x = ?", "1").int("a.n >= ?", 5).any_of("a.s", ["p", "q"]).text("a.t LIKE ?", "%,m,%");
        assert_eq!(c.sql(), "WHERE a.x = $1 AND a.n >= $2 AND a.s IN ($3, $4) AND a.t LIKE $5");
        assert_eq!(c.len(), 5);
        c.any_of("a.none", []);
        assert_eq!(c.len(), 5);
        c.texts("(k < ? OR (k = ? AND id < ?))", &["t", "t", "i"]);
        assert!(c.sql().ends_with("AND (k < $6 OR (k = $7 AND id < $8))"));
    }
}
