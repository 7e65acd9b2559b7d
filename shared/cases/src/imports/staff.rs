//! Staff accounts of the importing admin's agency: each row is the API's `POST /api/v1/staff`
//! (email, name, initial password, role) under the same account rules. Initial passwords are
//! blanked in an error workbook.

use super::{pairs, Created, Run, Stop};
use crate::error::StoreError;
use frt_access::accounts::{self, AccountError, FirstLogin, Owner};
use frt_access::{PrincipalKind, Role};
use frt_domain::contact::Email;
use frt_sheets::columns::{Cells, Column};
use frt_sheets::Spec;
use frt_store::{identities, AsyncPgConnection};
use std::collections::HashMap;

const ROLES: [(&str, &str); 5] = [
    ("reviewer", "审核员"),
    ("inspector", "检查员"),
    ("complaint_handler", "投诉处理员"),
    ("supervisor", "负责人"),
    ("admin", "系统管理员"),
];

pub(super) const ALIASES: &[(&str, &str)] = &[];

pub(super) fn spec() -> Spec {
    Spec {
        kind: "staff",
        title: "工作人员账号导入表",
        sheet: "工作人员",
        columns: vec![
            Column::text("email", "电子邮箱", 254)
                .required()
                .note("登录账号，不能与本系统已有账号重复"),
            Column::text("display_name", "姓名", 100).required(),
            Column::choice("role", "角色", pairs(&ROLES)).required(),
            Column::text("password", "初始密码", 256)
                .required()
                .secret()
                .note("至少 10 个字符；请通知本人首次登录后修改。出错时退回的工作簿不含密码"),
        ],
        instructions: vec![
            "每行一个工作人员账号，账号属于导入人所在机构；第一行为表头，请勿修改表头文字。",
            "角色请从下拉列表选择。",
            "任何一行有误时整表不导入；退回的错误工作簿不保留初始密码，请重新填写后上传。",
        ],
    }
}

pub(super) struct Row {
    number: u32,
    email: String,
    display_name: String,
    password: String,
    role: Role,
}

pub(super) fn read(cells: &mut Cells<'_>) -> Option<Row> {
    let email = cells.text("email");
    let display_name = cells.text("display_name");
    let role = cells.choice("role").and_then(|r| r.parse::<Role>().ok());
    let password = cells.text("password");
    Some(Row {
        number: cells.number(),
        email: email?,
        display_name: display_name?,
        password: password?,
        role: role?,
    })
}

pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    run: &Run<'_>,
    rows: Vec<Row>,
) -> Result<Vec<Created>, Stop> {
    let PrincipalKind::Staff { agency_id, .. } = run.caller.principal.kind else {
        return Err(Stop::Failed(
            crate::Denied {
                action: "manage",
                resource: "staff user".into(),
            }
            .into(),
        ));
    };
    let owner = Owner::Agency(agency_id);
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut checked: Vec<(u32, String)> = Vec::with_capacity(rows.len());
    for row in &rows {
        for p in accounts::problems(
            &row.email,
            &row.display_name,
            &row.password,
            row.role,
            owner,
        ) {
            let key = match p {
                AccountError::InvalidEmail(_) => "email",
                AccountError::InvalidName => "display_name",
                AccountError::Password(_) => "password",
                AccountError::WrongRole(_) => "role",
            };
            problems.push(
                run.sheet
                    .problem(row.number, key, "field.invalid", p.to_string()),
            );
        }
        let Ok(email) = Email::parse(&row.email).map(Email::into_string) else {
            continue;
        };
        if let Some(first) = seen.get(&email) {
            problems.push(run.sheet.problem(
                row.number,
                "email",
                "field.duplicate",
                format!("{email} is also on row {first} of this sheet"),
            ));
            continue;
        }
        seen.insert(email.clone(), row.number);
        checked.push((row.number, email));
    }
    // Accounts that exist already, in one query for the whole sheet.
    let emails: Vec<String> = checked.iter().map(|(_, e)| e.clone()).collect();
    let taken = identities::emails_taken(conn, owner.zone(), &emails).await?;
    for (number, email) in &checked {
        if taken.contains(&email.to_lowercase()) {
            problems.push(run.sheet.problem(
                *number,
                "email",
                "field.taken",
                format!("{email} already has an account"),
            ));
        }
    }
    Stop::unless_empty(problems)?;
    // Hashing is deliberately slow: off the async workers, all rows in one go.
    let prepared = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|r| {
                accounts::prepare(&r.email, &r.display_name, &r.password, r.role, owner)
                    .map(|u| (r.number, FirstLogin::ChangePassword.apply(u)))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| StoreError::Internal(anyhow::anyhow!("hashing passwords: {e}")))?
    .map_err(|e| StoreError::Internal(anyhow::anyhow!("{e}")))?;
    let mut created = Vec::with_capacity(prepared.len());
    for (number, new) in prepared {
        let user = accounts::insert(conn, &run.caller.actor, new).await?;
        created.push(Created {
            row: number,
            id: Some(user.id),
            reference: user.email,
        });
    }
    Ok(created)
}
