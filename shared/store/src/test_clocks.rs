//! Test clocks (outside production only): the day that is "today" for one acceptance
//! scenario's requests.

use crate::schema::test_clocks;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

pub async fn set(conn: &mut AsyncPgConnection, scope: &str, today: NaiveDate) -> QueryResult<()> {
    diesel::insert_into(test_clocks::table)
        .values((test_clocks::scope.eq(scope), test_clocks::today.eq(today)))
        .on_conflict(test_clocks::scope)
        .do_update()
        .set((
            test_clocks::today.eq(today),
            test_clocks::set_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn get(conn: &mut AsyncPgConnection, scope: &str) -> QueryResult<Option<NaiveDate>> {
    test_clocks::table
        .find(scope)
        .select(test_clocks::today)
        .first(conn)
        .await
        .optional()
}

pub async fn clear(conn: &mut AsyncPgConnection, scope: &str) -> QueryResult<usize> {
    diesel::delete(test_clocks::table.find(scope))
        .execute(conn)
        .await
}
