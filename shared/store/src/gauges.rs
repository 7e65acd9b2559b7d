//! The database's state as the services report it on `GET /metrics` (`frt_cases::metrics`):
//! the outbox, the audit chain's head, the deadline sweep. Each read is bounded by an index.

use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Messages by status (those not sent; sent ones only grow).
#[derive(Debug, Clone, QueryableByName)]
pub struct StatusCount {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(Debug, Clone, QueryableByName)]
pub struct State {
    /// Seconds since the oldest message waiting to be sent was queued.
    #[diesel(sql_type = Nullable<Double>)]
    pub oldest_pending: Option<f64>,
    /// Rows in the audit chain.
    #[diesel(sql_type = BigInt)]
    pub chain_length: i64,
    /// Seconds since the chain's head was sealed.
    #[diesel(sql_type = Nullable<Double>)]
    pub chain_head_age: Option<f64>,
    /// Seconds since a day's sweep last finished.
    #[diesel(sql_type = Nullable<Double>)]
    pub sweep_finished_age: Option<f64>,
    /// Days' sweeps claimed and not finished.
    #[diesel(sql_type = BigInt)]
    pub sweep_unfinished: i64,
}

pub async fn outbox(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<StatusCount>> {
    diesel::sql_query(
        "SELECT status, count(*) AS n FROM outbox WHERE status <> 'sent' GROUP BY status",
    )
    .load(conn)
    .await
}

pub async fn state(conn: &mut AsyncPgConnection) -> diesel::QueryResult<State> {
    diesel::sql_query(
        "SELECT (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 \
                   FROM outbox WHERE status = 'pending') AS oldest_pending, \
                COALESCE((SELECT seq FROM audit_chain_head), 0)::bigint AS chain_length, \
                (SELECT EXTRACT(EPOCH FROM now() - sealed_at)::float8 FROM audit_chain_head) \
                  AS chain_head_age, \
                (SELECT EXTRACT(EPOCH FROM now() - max(finished_at))::float8 FROM sweep_runs) \
                  AS sweep_finished_age, \
                (SELECT count(*) FROM sweep_runs WHERE finished_at IS NULL) AS sweep_unfinished",
    )
    .get_result(conn)
    .await
}
