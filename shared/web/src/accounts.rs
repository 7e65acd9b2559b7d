//! Creating an account from a request: the slow password hash off the async workers, then the
//! insert and its audit row in one transaction.

use crate::error::{ApiError, ApiResult};
use crate::state::Core;
use actix_web::web;
use frt_access::accounts::{self, Owner};
use frt_access::Role;
use frt_store::audit::Actor;
use frt_store::identities::User;
use frt_store::ScopedFutureExt;

pub async fn create(
    core: &Core,
    actor: &Actor,
    email: String,
    display_name: String,
    password: String,
    role: Role,
    owner: Owner,
) -> ApiResult<User> {
    let prepared =
        web::block(move || accounts::prepare(&email, &display_name, &password, role, owner))
            .await
            .map_err(ApiError::internal)??;
    let actor = actor.clone();
    core.db
        .tx(|conn| {
            async move { Ok::<_, ApiError>(accounts::insert(conn, &actor, prepared).await?) }
                .scope_boxed()
        })
        .await
}
