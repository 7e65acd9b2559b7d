//! The hotline and letter log: each row is the API's own `ComplaintInput`, entered through the
//! same intake as a complaint received online (receipt number, handling deadline, routing).

use super::{pairs, Created, Run, Stop};
use crate::complaints::intake::{self, ComplaintInput, ProcessorGiven, ReplyGiven};
use crate::complaints::ComplaintError;
use crate::error::StoreError;
use frt_domain::complaint::ComplaintChannel;
use frt_sheets::columns::{Cells, Column};
use frt_sheets::Spec;
use frt_store::AsyncPgConnection;

const CHANNELS: [(&str, &str); 4] = [
    ("phone", "电话"),
    ("letter", "来信"),
    ("visit", "来访"),
    ("transfer", "转办"),
];

/// Field paths of the API that name a whole group of columns.
pub(super) const ALIASES: &[(&str, &str)] =
    &[("processor", "processor.name"), ("reply", "reply.channel")];

pub(super) fn spec(provinces: Vec<(String, String)>) -> Spec {
    Spec {
        kind: "complaints",
        title: "投诉举报登记表（电话、来信、来访、转办）",
        sheet: "投诉举报",
        columns: vec![
            Column::choice("channel", "受理渠道", pairs(&CHANNELS)).required(),
            Column::text("processor.uscc", "被投诉单位统一社会信用代码", 18)
                .note("18 位统一社会信用代码；不知道时填写单位名称"),
            Column::text("processor.name", "被投诉单位名称", 200),
            Column::choice("province", "所在省份", provinces)
                .note("单位未在本平台登记时必填：从下拉列表选择省份"),
            Column::text("description", "投诉举报内容", 5000).required(),
            Column::date("occurred_on", "发生日期"),
            Column::text("location", "发生地点", 500),
            Column::yes_no("anonymous", "是否匿名"),
            Column::choice(
                "reply.channel",
                "答复方式",
                pairs(&[("mail", "电子邮件"), ("post", "邮寄")]),
            )
            .note("非匿名时必填"),
            Column::text("reply.name", "联系人姓名", 100),
            Column::text("reply.email", "电子邮箱", 254).note("答复方式为电子邮件时必填"),
            Column::text("reply.postal_address", "通信地址", 500).note("答复方式为邮寄时必填"),
            Column::text("reply.phone", "联系电话", 40),
        ],
        instructions: vec![
            "每行登记一件投诉举报；第一行为表头，请勿修改表头文字。",
            "带下拉列表的列请从列表中选择；日期请写作 YYYY-MM-DD。",
            "任何一行有误时整表不导入：系统返回错误说明和标注错误的工作簿，修改后重新上传即可。",
            "联系人信息加密保存，仅有权限的工作人员可见。",
        ],
    }
}

pub(super) struct Row {
    number: u32,
    channel: ComplaintChannel,
    input: Box<ComplaintInput>,
}

pub(super) fn read(cells: &mut Cells<'_>) -> Option<Row> {
    let channel = cells
        .choice("channel")
        .and_then(|c| c.parse::<ComplaintChannel>().ok());
    let reply_channel = cells.choice("reply.channel");
    let reply = ReplyGiven {
        channel: reply_channel.clone().unwrap_or_default(),
        email: cells.text("reply.email"),
        postal_address: cells.text("reply.postal_address"),
        name: cells.text("reply.name"),
        phone: cells.text("reply.phone"),
        language: None,
    };
    let input = ComplaintInput {
        processor: ProcessorGiven {
            uscc: cells.text("processor.uscc"),
            name: cells.text("processor.name"),
        },
        province: cells.choice("province"),
        description: cells.text("description").unwrap_or_default(),
        occurred_on: cells.date("occurred_on").map(|d| d.to_string()),
        location: cells.text("location"),
        anonymous: cells.yes_no("anonymous").unwrap_or(false),
        reply: reply_channel.map(|_| reply),
    };
    Some(Row {
        number: cells.number(),
        channel: channel?,
        input: Box::new(input),
    })
}

/// Each row through the intake, one at a time (a hotline log is tens or hundreds of rows).
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    run: &Run<'_>,
    rows: Vec<Row>,
) -> Result<Vec<Created>, Stop> {
    let mut problems = Vec::new();
    let mut created = Vec::with_capacity(rows.len());
    for row in &rows {
        match intake::enter_in(
            conn,
            run.core,
            run.caller,
            &row.input,
            row.channel,
            run.today,
        )
        .await
        {
            Ok(r) => created.push(Created {
                row: row.number,
                id: Some(r.id),
                reference: r.receipt_number,
            }),
            Err(ComplaintError::Invalid(ps)) => problems.extend(run.sheet.problems(row.number, ps)),
            Err(ComplaintError::Store(s)) => return Err(Stop::Failed(s.into())),
            Err(ComplaintError::Denied(d)) => return Err(Stop::Failed(d.into())),
            Err(other) => {
                return Err(Stop::Failed(
                    StoreError::Internal(anyhow::anyhow!("{other}")).into(),
                ))
            }
        }
    }
    Stop::unless_empty(problems)?;
    Ok(created)
}
