//! Cases of every type in every state, made once through the same use cases the services
//! call, as the demo accounts (and on the days a past event would have happened, so that time
//! limits run out as they would have): filings submitted, returned, recorded, refused and
//! overdue, with a change filing in draft; complaints from received to closed, one not
//! accepted and one transferred; an inspection plan, its draw, an inspection with an order to
//! rectify and one closed and published; notifications sent, acknowledged and answered. A
//! complaint carries evidence, the order to rectify a report, a case transfer an attachment.

use super::DEMO_PASSWORD;
use anyhow::Context;
use chrono::{Duration, NaiveDate};
use frt_access::accounts::{self, Owner};
use frt_access::{Action, Role};
use frt_cases::complaints::{handling, intake, lookup};
use frt_cases::filings::{drafts, materials, review, submit};
use frt_cases::inspections::conduct::{self, NewTarget};
use frt_cases::inspections::draws::{self, DrawRequest, PoolFilters};
use frt_cases::notifications::{self, NotificationInput, Origin, Receipt};
use frt_cases::testing::with_today;
use frt_cases::{today_in_china, Caller, Core};
use frt_domain::filing::{FilingAction, FilingKind};
use frt_domain::form::{example_attachments, example_complete};
use frt_domain::ids::{uscc_check_char, Uscc};
use frt_settings::Settings;
use frt_store::audit::Actor;
use frt_store::identities::{self, NewOrganisation};
use frt_store::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

/// A small PDF, what every demo material is.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A processor of the demo set: its name, the digits that make its USCC, its province, and
/// its admin's address.
struct Processor {
    name: &'static str,
    code: &'static str,
    province: &'static str,
    admin: &'static str,
}

const PROCESSORS: [Processor; 6] = [
    Processor {
        name: "沪上智能门禁有限公司",
        code: "MA1DM0001",
        province: "310000",
        admin: "admin@hushang-gate.example",
    },
    Processor {
        name: "浦江刷脸支付有限公司",
        code: "MA1DM0002",
        province: "310000",
        admin: "admin@pujiang-pay.example",
    },
    Processor {
        name: "东方商场管理有限公司",
        code: "MA1DM0003",
        province: "310000",
        admin: "admin@dongfang-mall.example",
    },
    Processor {
        name: "申城物业服务有限公司",
        code: "MA1DM0004",
        province: "310000",
        admin: "admin@shencheng-pm.example",
    },
    Processor {
        name: "静安人脸识别科技有限公司",
        code: "MA1DM0005",
        province: "310000",
        admin: "admin@jingan-face.example",
    },
    Processor {
        name: "京华人脸识别科技有限公司",
        code: "MA1DM0006",
        province: "110000",
        admin: "admin@jinghua-face.example",
    },
];

/// The demo's processors with cases (name, province, admin's address), for the printout.
pub fn processors() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    PROCESSORS.iter().map(|p| (p.name, p.province, p.admin))
}

/// A demo PDF named `name`, received as any upload is.
async fn pdf(core: &Core, name: &str) -> anyhow::Result<frt_cases::materials::Received> {
    let file = futures_util::stream::iter([Ok::<_, std::io::Error>(PDF)]);
    Ok(frt_cases::materials::receive(core, file, PDF.len() as u64, Some(name)).await?)
}

/// A USCC with a right check character: organisation type 91, the province's area, `code`.
fn uscc_of(p: &Processor) -> String {
    let first17 = format!("91{}01{}", &p.province[..4], p.code);
    let check = uscc_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Acting as a demo account.
async fn as_(core: &Core, zone: &str, email: &str) -> anyhow::Result<Caller> {
    Caller::as_account(core, zone, email)
        .await?
        .with_context(|| format!("the demo account {email} is missing"))
}

async fn staff(core: &Core, email: &str) -> anyhow::Result<Caller> {
    as_(core, identities::CASEWORK_ZONE, email).await
}

/// Registers a processor with its admin, unless it is there.
async fn processor(core: &Core, p: &Processor) -> anyhow::Result<Caller> {
    let uscc = Uscc::parse(&uscc_of(p))?;
    let actor = Actor::system("frtctl demo seed");
    core.db
        .tx(|conn| {
            async move {
                if identities::organisation_by_uscc(conn, uscc.as_str())
                    .await?
                    .is_some()
                {
                    return Ok::<_, anyhow::Error>(());
                }
                let org = identities::insert_organisation(
                    conn,
                    &NewOrganisation {
                        id: Uuid::now_v7(),
                        name: p.name.into(),
                        uscc: uscc.as_str().into(),
                        uscc_checksum_ok: uscc.checksum_ok(),
                        province_code: p.province.into(),
                        province_confirmed: true,
                        contact_person: "王合规".into(),
                        contact_email: p.admin.into(),
                        contact_phone: "+86 21 5555 0199".into(),
                        locale: "zh-CN".into(),
                    },
                )
                .await?;
                let new = accounts::prepare(
                    p.admin,
                    "王合规",
                    DEMO_PASSWORD,
                    Role::OrgAdmin,
                    Owner::Organisation(org.id),
                )?;
                accounts::insert(conn, &actor, new).await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await?;
    as_(core, identities::PORTAL_ZONE, p.admin).await
}

/// A complete filing of `kind` with its materials, submitted on `day` (the processor's
/// trigger some days before); answers its id.
async fn submitted(
    core: &Core,
    who: &Caller,
    name: &str,
    kind: FilingKind,
    previous: Option<Uuid>,
    day: NaiveDate,
) -> anyhow::Result<Uuid> {
    let mut form = example_complete(kind, day - Duration::days(20));
    if let Some(basic) = form.basic.as_mut() {
        basic.processor_name = Some(name.to_owned());
    }
    let id = drafts::create(core, who, kind, previous, form).await?.id;
    for a in example_attachments(kind) {
        let received = pdf(core, &format!("{}.pdf", a.as_str())).await?;
        materials::attach(core, who, id, a, received).await?;
    }
    with_today(day, submit::submit(core, who, id, None)).await?;
    Ok(id)
}

/// The version a filing is at, for a decision that names the version seen.
async fn filing_version(core: &Core, who: &Caller, id: Uuid) -> anyhow::Result<i32> {
    Ok(frt_cases::filings::reads::detail(core, who, id)
        .await?
        .version)
}

/// Whether the demo cases were made already.
async fn made_already(core: &Core) -> anyhow::Result<bool> {
    core.db
        .run(|conn| {
            async move {
                Ok(
                    identities::organisation_by_uscc(conn, &uscc_of(&PROCESSORS[0]))
                        .await?
                        .is_some(),
                )
            }
            .scope_boxed()
        })
        .await
}

pub async fn seed(settings: &Settings) -> anyhow::Result<()> {
    let core = Core::build(settings.clone()).await?;
    if made_already(&core).await? {
        return Ok(());
    }
    let today = today_in_china();
    let ago = |days: i64| today - Duration::days(days);
    filings(&core, today, ago).await?;
    complaints(&core).await.context("complaints")?;
    let inspected = inspections(&core).await.context("inspections")?;
    notifications_between_agencies(&core, inspected)
        .await
        .context("notifications")?;
    // Time limits that ran out in the past are marked and escalated as the daily sweep would.
    frt_cases::sweep::run(&core, today).await?;
    Ok(())
}

async fn filings(
    core: &Core,
    today: NaiveDate,
    ago: impl Fn(i64) -> NaiveDate,
) -> anyhow::Result<()> {
    let reviewer = staff(core, "reviewer@sh.cac.example").await?;
    let demo = as_(
        core,
        identities::PORTAL_ZONE,
        "admin@demo-processor.example",
    )
    .await?;
    // Recorded two months ago, with a change filing in draft since.
    let recorded = submitted(
        core,
        &demo,
        "示例科技有限公司",
        FilingKind::Initial,
        None,
        ago(70),
    )
    .await?;
    let v = filing_version(core, &reviewer, recorded).await?;
    with_today(ago(60), review::record(core, &reviewer, recorded, Some(v))).await?;
    let mut change = example_complete(FilingKind::Change, today - Duration::days(5));
    if let Some(basic) = change.basic.as_mut() {
        basic.processor_name = Some("示例科技有限公司".to_owned());
    }
    drafts::create(core, &demo, FilingKind::Change, Some(recorded), change).await?;

    // Waiting for review since today.
    let gate = processor(core, &PROCESSORS[0]).await?;
    submitted(
        core,
        &gate,
        PROCESSORS[0].name,
        FilingKind::Initial,
        None,
        today,
    )
    .await?;
    // Returned for correction, with reasons where the fields are.
    let pay = processor(core, &PROCESSORS[1]).await?;
    let returned = submitted(
        core,
        &pay,
        PROCESSORS[1].name,
        FilingKind::Initial,
        None,
        ago(10),
    )
    .await?;
    let v = filing_version(core, &reviewer, returned).await?;
    with_today(
        ago(7),
        review::decide_with_reasons(
            core,
            &reviewer,
            returned,
            FilingAction::Return,
            vec![
                review::Reason {
                    path: Some("storage.retention_period_days".into()),
                    message: "人脸信息保存期限与处理目的不相称，请说明必要性或缩短期限。".into(),
                },
                review::Reason {
                    path: Some("attachments.pipia_report".into()),
                    message: "个人信息保护影响评估报告缺少风险处置措施一节。".into(),
                },
            ],
            Some(v),
        ),
    )
    .await?;
    // Waiting so long its review time limit has passed (the sweep escalates it).
    let mall = processor(core, &PROCESSORS[2]).await?;
    submitted(
        core,
        &mall,
        PROCESSORS[2].name,
        FilingKind::Initial,
        None,
        ago(45),
    )
    .await?;
    // Refused, with its reasons.
    let pm = processor(core, &PROCESSORS[3]).await?;
    let refused = submitted(
        core,
        &pm,
        PROCESSORS[3].name,
        FilingKind::Initial,
        None,
        ago(20),
    )
    .await?;
    let v = filing_version(core, &reviewer, refused).await?;
    with_today(
        ago(15),
        review::decide_with_reasons(
            core,
            &reviewer,
            refused,
            FilingAction::Refuse,
            vec![review::Reason {
                path: None,
                message: "存储人脸信息的人数未达到十万人，无须备案。".into(),
            }],
            Some(v),
        ),
    )
    .await?;
    // Beijing's own queue.
    processor(core, &PROCESSORS[4]).await?;
    let beijing = processor(core, &PROCESSORS[5]).await?;
    submitted(
        core,
        &beijing,
        PROCESSORS[5].name,
        FilingKind::Initial,
        None,
        ago(3),
    )
    .await?;
    Ok(())
}

/// A complaint filed online about `processor`, by mail reply, `days` days ago.
async fn complaint(
    core: &Core,
    processor: &Processor,
    what: &str,
    email: &str,
) -> anyhow::Result<Uuid> {
    let input: intake::ComplaintInput = serde_json::from_value(json!({
        "processor": { "uscc": uscc_of(processor) },
        "description": what,
        "location": "上海市静安区",
        "reply": { "channel": "mail", "email": email, "name": "市民", "phone": "13800138000" }
    }))?;
    Ok(
        intake::file_online(core, &Actor::system("complainant (demo)"), &input)
            .await?
            .id,
    )
}

async fn complaint_version(core: &Core, who: &Caller, id: Uuid) -> anyhow::Result<i32> {
    Ok(handling::show(core, who, id)
        .await
        .with_context(|| format!("complaint {id} seen by {}", who.principal.email))?
        .version)
}

async fn complaints(core: &Core) -> anyhow::Result<()> {
    let handler = staff(core, "handler@sh.cac.example").await?;
    let supervisor = staff(core, "supervisor@sh.cac.example").await?;
    let gate = &PROCESSORS[0];
    let mall = &PROCESSORS[2];
    // Received, waiting for acceptance, with the complainant's evidence.
    let input: intake::ComplaintInput = serde_json::from_value(json!({
        "processor": { "uscc": uscc_of(gate) },
        "description": "小区门禁只能刷脸进入，没有其他方式。",
        "location": "上海市静安区",
        "reply": { "channel": "mail", "email": "resident1@example.cn", "name": "市民" }
    }))?;
    let complainant = Actor::system("complainant (demo)");
    let receipt = intake::file_online(core, &complainant, &input).await?;
    let photo = pdf(core, "门禁照片.pdf").await?;
    lookup::add_evidence(
        core,
        &complainant,
        &receipt.receipt_number,
        &receipt.access_code,
        "demo",
        photo,
    )
    .await?;
    // Anonymous report.
    let report: intake::ComplaintInput = serde_json::from_value(json!({
        "processor": { "uscc": uscc_of(mall) }, "anonymous": true,
        "description": "商场入口摄像头采集人脸，没有任何提示标识。"
    }))?;
    intake::file_online(core, &Actor::system("complainant (demo)"), &report).await?;
    // Not accepted, the reason being the reply.
    let id = complaint(core, mall, "听说商场在用人脸识别。", "resident2@example.cn").await?;
    let v = complaint_version(core, &handler, id).await?;
    handling::refuse(
        core,
        &handler,
        id,
        v,
        "投诉内容不具体，无法核实；请补充时间、地点和具体情形后重新提交。",
    )
    .await?;
    // Filed here about a processor that turns out to be in Beijing: transferred there.
    let elsewhere: intake::ComplaintInput = serde_json::from_value(json!({
        "processor": { "name": "京城刷脸小程序运营公司" }, "province": "310000",
        "description": "一家公司通过小程序收集用户人脸，用户无法拒绝。",
        "reply": { "channel": "mail", "email": "resident3@example.cn", "name": "市民" }
    }))?;
    let id = intake::file_online(core, &Actor::system("complainant (demo)"), &elsewhere)
        .await?
        .id;
    let v = complaint_version(core, &handler, id).await?;
    handling::transfer(
        core,
        &handler,
        id,
        v,
        "province:110000",
        "被投诉单位住所地在北京市",
    )
    .await?;
    // Accepted and assigned; investigating; result decided; replied; closed.
    let handler_id = handler.principal.user_id;
    let mut ids = Vec::new();
    for (n, text) in [
        "门禁设备无提示即采集人脸。",
        "离职后人脸信息未删除。",
        "未经同意将人脸信息提供给第三方。",
        "考勤系统强制刷脸。",
        "APP 注销后人脸信息仍被保存。",
    ]
    .into_iter()
    .enumerate()
    {
        let id = complaint(core, gate, text, &format!("resident{}@example.cn", n + 10)).await?;
        let v = complaint_version(core, &handler, id).await?;
        handling::accept(core, &handler, id, v)
            .await
            .context("complaint accept by handler")?;
        let v = complaint_version(core, &supervisor, id).await?;
        handling::assign(core, &supervisor, id, v, handler_id)
            .await
            .context("complaint assign by supervisor")?;
        ids.push(id);
    }
    for &id in &ids[1..] {
        let v = complaint_version(core, &handler, id).await?;
        handling::investigate(core, &handler, id, v, None)
            .await
            .context("complaint investigate by handler")?;
    }
    for &id in &ids[2..] {
        let v = complaint_version(core, &handler, id).await?;
        handling::decide(
            core,
            &handler,
            id,
            v,
            "经核查，被投诉单位存在未取得单独同意的情形，已责令改正。",
        )
        .await?;
    }
    for &id in &ids[3..] {
        let v = complaint_version(core, &handler, id).await?;
        handling::reply(
            core,
            &handler,
            id,
            v,
            "您反映的问题经核查属实，我办已责令被投诉单位改正。感谢您的监督。",
            None,
        )
        .await?;
    }
    // The reply delivered (the demo's mail goes to the log), then closed.
    let worker = worker::Worker::new(core.clone())?;
    worker.send_due().await?;
    let last = ids[4];
    let v = complaint_version(core, &handler, last).await?;
    handling::close(core, &handler, last, v)
        .await
        .context("complaint close by handler")?;
    Ok(())
}

/// Answers the inspection closed (of 东方商场), which a case transfer names.
async fn inspections(core: &Core) -> anyhow::Result<Uuid> {
    let supervisor = staff(core, "supervisor@sh.cac.example").await?;
    let today = today_in_china();
    let quarter_end = NaiveDate::from_ymd_opt(today.format("%Y").to_string().parse()?, 12, 31)
        .context("the year's end")?;
    let plan = draws::create_plan(
        core,
        &supervisor,
        "310000",
        "双随机抽查计划（人脸识别技术应用）",
        today - Duration::days(30),
        quarter_end.max(today + Duration::days(30)),
    )
    .await?;
    let drawn = draws::draw(
        core,
        &supervisor,
        DrawRequest {
            plan_id: plan.id,
            filters: PoolFilters::default(),
            targets: 2,
            inspectors: 2,
            seed: None,
        },
    )
    .await?;
    // From the draw: notified, started, findings recorded, rectification ordered.
    let target = drawn
        .targets
        .first()
        .map(|t| t.organisation_id)
        .context("the draw picked nobody")?;
    let i = conduct::open(
        core,
        &supervisor,
        NewTarget {
            organisation_id: target,
            source: "draw".into(),
            plan_id: Some(plan.id),
            draw_id: Some(drawn.id),
            notification_id: None,
            inspector_ids: Vec::new(),
            swap_reason: None,
        },
    )
    .await?;
    let i = conduct::notify(core, &supervisor, i.id, i.version, "请于三个工作日内准备人脸识别系统的处理规则、访问日志和影响评估报告，检查人员将到现场检查。").await?;
    let i = conduct::start(core, &supervisor, i.id, i.version).await?;
    let i = conduct::record_findings(
        core,
        &supervisor,
        i.id,
        i.version,
        "门禁系统人脸信息保存期限过长，离职人员信息未及时删除。",
        vec![
            "离职人员人脸信息未删除".into(),
            "访问日志保存不足六个月".into(),
        ],
    )
    .await?;
    let ordered = conduct::order_rectification(
        core,
        &supervisor,
        i.id,
        i.version,
        "删除离职人员人脸信息，访问日志保存不少于六个月，并报送整改报告。",
        10,
    )
    .await?;
    // The processor gives its report for the order.
    let order = ordered.items.last().map(|it| it.id).context("the order")?;
    let answering = core
        .db
        .query(|conn| identities::users_of_organisation(conn, target).scope_boxed())
        .await?
        .into_iter()
        .find(|u| u.active)
        .context("the drawn processor has a user")?;
    let at_processor = as_(core, identities::PORTAL_ZONE, &answering.email).await?;
    let report = pdf(core, "整改报告.pdf").await?;
    frt_cases::inspections::processor::attach(core, &at_processor, i.id, order, report).await?;
    // For a risk: closed with its result, and published (一公开).
    let mall_uscc = uscc_of(&PROCESSORS[2]);
    let mall = core
        .db
        .query(|conn| identities::organisation_by_uscc(conn, &mall_uscc).scope_boxed())
        .await?
        .context("the mall")?;
    let pair: Vec<Uuid> = futures_util::future::try_join_all(
        ["inspector2@sh.cac.example", "inspector3@sh.cac.example"].map(|e| staff(core, e)),
    )
    .await?
    .into_iter()
    .map(|c| c.principal.user_id)
    .collect();
    let i = conduct::open(
        core,
        &supervisor,
        NewTarget {
            organisation_id: mall.id,
            source: "risk".into(),
            plan_id: None,
            draw_id: None,
            notification_id: None,
            inspector_ids: pair,
            swap_reason: None,
        },
    )
    .await?;
    let i = conduct::notify(
        core,
        &supervisor,
        i.id,
        i.version,
        "依据《人脸识别技术应用安全管理办法》第十六条实施监督检查。",
    )
    .await?;
    let i = conduct::start(core, &supervisor, i.id, i.version).await?;
    let i = conduct::record_findings(
        core,
        &supervisor,
        i.id,
        i.version,
        "未发现违法违规情形。",
        Vec::new(),
    )
    .await?;
    let closed = conduct::close(core, &supervisor, i.id, i.version, "未发现问题").await?;
    Ok(closed.id)
}

async fn notifications_between_agencies(core: &Core, inspected: Uuid) -> anyhow::Result<()> {
    let office = staff(core, "supervisor@sh.cac.example").await?;
    let police = staff(core, "supervisor@sh.police.example").await?;
    let samr = staff(core, "inspector@sh.samr.example").await?;
    let police_agency = police.principal.agency_id().context("police agency")?;
    let samr_agency = samr.principal.agency_id().context("samr agency")?;
    let from = Origin::staff(core, &office, Action::Send)?;
    let send = |kind: &str, to: Vec<Uuid>, title: &str, body: &str| {
        serde_json::from_value::<NotificationInput>(json!({
            "kind": kind, "recipients": to, "title": title, "body": body,
            "processor": { "uscc": uscc_of(&PROCESSORS[2]) },
            "links": [{ "entity_type": "inspection", "id": inspected }],
            "ack_required": true,
        }))
    };
    // Acknowledged and answered.
    let answered = notifications::send(
        core,
        &from,
        &send(
            "case_transfer",
            vec![police_agency],
            "关于东方商场管理有限公司涉嫌违法处理人脸信息的移送函",
            "经检查发现该单位涉嫌向第三方非法提供人脸信息，依法移送贵局处理。",
        )?,
    )
    .await?;
    let record = pdf(core, "检查笔录.pdf").await?;
    notifications::add_material(core, &from, answered.id, record).await?;
    let at_police = Origin::staff(core, &police, Action::Acknowledge)?;
    notifications::receive(core, &at_police, answered.id, Receipt::Acknowledge).await?;
    notifications::receive(
        core,
        &at_police,
        answered.id,
        Receipt::Feedback("已立案调查，结果另行函告。".into()),
    )
    .await?;
    // Sent, waiting for its acknowledgement.
    notifications::send(
        core,
        &from,
        &send(
            "information_sharing",
            vec![samr_agency, police_agency],
            "人脸识别门禁专项检查情况通报",
            "本季度双随机抽查发现门禁场景普遍存在保存期限过长的问题，请各单位在职责范围内关注。",
        )?,
    )
    .await?;
    Ok(())
}
