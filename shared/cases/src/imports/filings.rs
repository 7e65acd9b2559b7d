//! Paper submissions (纸质申报) keyed in by staff on a processor's behalf. Each row is a whole
//! filing form, read into the API's own `FilingForm` and checked by `check_for_submit` as an
//! online submission is; the paper materials count as attached when the row says they all
//! arrived. A row becomes a submitted filing in the review queue, recorded as received on
//! paper (`submitted_via = 'paper'`, entered by the importing member of staff), with its
//! statutory deadline judged by the day the paper arrived and its review clock started from
//! that day. A processor not yet on the platform gets its organisation from the form.
//!
//! Written in bulk: the rows are checked first, then written a batch at a time in multi-row
//! statements (filings, deadlines, versions, audit rows), so a national batch of paper
//! filings imports in seconds, not hours.

use super::{pairs, Created, Run, Stop};
use crate::china_offset;
use crate::error::StoreError;
use crate::filings::plan::{plan, Arrival};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use frt_access::{Action, Resource};
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_domain::form::{
    check_for_submit, required_attachments, section_names, BasicInfo, ChangeDetails,
    DeregistrationDetails, DeviceLocation, DisposalMethod, FilingForm, LocationKind, PipiaReport,
    ProcessingRules, PurposesAndMethods, Scenario, SecurityMeasures, StorageAndSecurity,
};
use frt_domain::ids::Uscc;
use frt_sheets::columns::{CellProblem, Cells, Column};
use frt_sheets::export::Cell as ExportCell;
use frt_sheets::Spec;
use frt_store::audit::{self, NewEvent};
use frt_store::filings::{self as filing_store, REVIEW_DEADLINE, STATUTORY_DEADLINE};
use frt_store::identities::{self, NewOrganisation, Organisation};
use frt_store::paper::{self, NewDeadline, SubmittedFiling};
use frt_store::AsyncPgConnection;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows written per batch of statements.
const BATCH: usize = 2_000;

/// Field paths the form checks name that no column carries: the paper materials.
pub(super) const ALIASES: &[(&str, &str)] = &[("attachments", "materials_complete")];

const SECTIONS: [(&str, &str); 5] = [
    ("basic", "基本情况"),
    ("purposes", "处理目的和处理方式"),
    ("storage", "存储数量和安全保护措施"),
    ("rules", "处理规则和操作规程"),
    ("pipia", "影响评估报告"),
];

fn kinds() -> Vec<(String, String)> {
    FilingKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.name_zh().to_owned()))
        .collect()
}

pub(super) fn spec(provinces: Vec<(String, String)>) -> Spec {
    let scenarios = Scenario::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.name_zh().to_owned()))
        .collect();
    let locations = LocationKind::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.name_zh().to_owned()))
        .collect();
    let disposals = DisposalMethod::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.name_zh().to_owned()))
        .collect();
    debug_assert_eq!(
        SECTIONS.map(|(k, _)| k).as_slice(),
        section_names(),
        "the change columns name every section"
    );
    let yn = Column::yes_no;
    Spec {
        kind: "filings",
        title: "人脸识别技术应用备案纸质申报录入表",
        sheet: "备案申报",
        columns: vec![
            Column::choice("kind", "备案类型", kinds()).required(),
            Column::text("uscc", "统一社会信用代码", 18).required(),
            Column::date("received_on", "收件日期")
                .required()
                .note("收到纸质申报材料的日期：按此日期判断是否逾期，审核时限从此日起算"),
            Column::text("previous_filing_number", "原备案编号", 40)
                .note("变更备案、注销备案必填：所变更或注销的已备案记录的备案编号"),
            Column::choice("province", "所在省份", provinces)
                .note("单位未在本平台登记时可选：默认按统一社会信用代码确定"),
            Column::yes_no("materials_complete", "书面材料齐全")
                .required()
                .note("营业执照、法定代表人和经办人身份证件、授权委托书、承诺书、影响评估报告（按备案类型）均已收到时选 是"),
            Column::text("basic.processor_name", "个人信息处理者名称", 200),
            Column::text("basic.legal_representative_name", "法定代表人", 200),
            Column::text("basic.address", "地址", 500),
            Column::text("basic.contact_person", "联系人", 200),
            Column::text("basic.contact_phone", "联系电话", 200),
            Column::text("basic.contact_email", "电子邮箱", 254),
            Column::text("basic.business_scope", "经营范围", 5000),
            Column::text("basic.industry", "所属行业", 200),
            yn("basic.covered_by_head_office", "是否由总部备案覆盖的分支机构"),
            Column::text("basic.head_office_uscc", "总部统一社会信用代码", 18),
            Column::text("purposes.purpose", "处理目的", 5000),
            Column::text("purposes.necessity", "必要性说明", 5000),
            yn("purposes.verification_1_1", "是否用于验证个人身份"),
            yn("purposes.identification_1_n", "是否用于辨识特定个人"),
            Column::choices("purposes.scenarios", "应用场景", scenarios),
            Column::text(
                "purposes.other_scenario_description",
                "其他应用场景说明",
                5000,
            ),
            yn("purposes.in_public_places", "是否在公共场所安装设备"),
            yn("purposes.signage_in_place", "是否设置显著提示标识"),
            yn("purposes.for_public_safety", "是否为维护公共安全所必需"),
            Column::text(
                "purposes.device_locations[0].description",
                "设备安装位置",
                500,
            ),
            Column::choice(
                "purposes.device_locations[0].location_kind",
                "设备场所类型",
                locations,
            ),
            Column::integer(
                "purposes.device_locations[0].device_count",
                "设备数量",
                u64::from(u32::MAX),
            ),
            yn("purposes.stored_on_device_only", "是否仅存储于设备内"),
            yn("purposes.transmitted_over_internet", "是否通过互联网对外传输"),
            yn(
                "purposes.separate_consent_for_transmission",
                "对外传输是否取得单独同意",
            ),
            yn("purposes.separate_consent_obtained", "是否取得个人单独同意"),
            yn("purposes.consent_withdrawable", "是否可便捷撤回同意"),
            yn(
                "purposes.processes_minors_under_14",
                "是否处理不满十四周岁未成年人人脸信息",
            ),
            yn("purposes.guardian_consent", "是否取得监护人同意"),
            yn("purposes.special_rules_for_minors", "是否制定未成年人专门处理规则"),
            yn(
                "purposes.non_face_alternative_offered",
                "是否提供非人脸识别替代方式",
            ),
            Column::text("purposes.alternative_description", "替代方式说明", 5000),
            Column::integer("storage.people_stored", "人脸信息存储数量（人）", u64::MAX),
            Column::date("storage.reached_threshold_on", "存储数量达到10万人之日")
                .note("首次备案必填：30 个工作日的备案时限从此日起算"),
            Column::integer(
                "storage.retention_period_days",
                "保存期限（天）",
                u64::from(u32::MAX),
            ),
            yn("storage.security.encryption", "数据加密"),
            yn("storage.security.security_audit", "安全审计"),
            yn("storage.security.access_control", "访问控制"),
            yn("storage.security.authorisation_management", "授权管理"),
            yn("storage.security.intrusion_detection", "入侵检测和防御"),
            Column::text("storage.security.notes", "安全措施说明", 5000),
            Column::text("rules.processing_rules", "处理规则", 5000),
            Column::text("rules.operating_procedures", "操作规程", 5000),
            Column::text("rules.notice_to_individuals", "告知事项", 5000),
            Column::date("pipia.completed_on", "影响评估完成日期"),
            Column::text("pipia.summary", "影响评估摘要", 5000),
            Column::text("pipia.conclusion", "影响评估结论", 5000),
            Column::date("change.changed_on", "变更之日").note("变更备案必填"),
            Column::choices("change.what_changed", "变更事项", pairs(&SECTIONS)),
            Column::text("change.description", "变更说明", 5000),
            Column::date("deregistration.ended_on", "终止应用之日").note("注销备案必填"),
            Column::choice(
                "deregistration.disposal_method",
                "人脸信息处置方式",
                disposals,
            ),
            Column::text("deregistration.disposal_description", "处置说明", 5000),
            Column::date("deregistration.disposed_on", "处置完成日期"),
        ],
        instructions: vec![
            "每行录入一份纸质备案申报（首次备案、变更备案或注销备案），内容与在线填报的备案表相同；第一行为表头，请勿修改表头文字。",
            "各栏目是否必填与在线备案相同：首次备案、变更备案须填写全部五项材料，注销备案须填写基本情况和注销情况。",
            "录入后申报进入审核队列，标注为纸质申报并记录录入人；收件日期即申报日期。",
            "带下拉列表的列请从列表中选择；应用场景、变更事项可填多项，用顿号“、”分隔；日期请写作 YYYY-MM-DD。",
            "任何一行有误时整表不导入：系统返回错误说明和标注错误的工作簿，修改后重新上传即可。",
        ],
    }
}

/// A section only when one of its fields was given.
fn given<T: Default + PartialEq>(section: T) -> Option<T> {
    (section != T::default()).then_some(section)
}

fn code_of<T: Copy>(all: &[T], as_str: impl Fn(T) -> &'static str, code: &str) -> Option<T> {
    all.iter().copied().find(|v| as_str(*v) == code)
}

fn count(n: Option<u64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

/// One paper submission as keyed in.
pub(super) struct Row {
    number: u32,
    kind: FilingKind,
    uscc: String,
    received_on: NaiveDate,
    previous_number: Option<String>,
    province: Option<String>,
    materials_complete: bool,
    form: FilingForm,
}

pub(super) fn read(c: &mut Cells<'_>) -> Option<Row> {
    let kind = c
        .choice("kind")
        .and_then(|k| code_of(&FilingKind::ALL, FilingKind::as_str, &k));
    let uscc = c.text("uscc");
    let received_on = c.date("received_on");
    let previous_number = c.text("previous_filing_number");
    let province = c.choice("province");
    let materials_complete = c.yes_no("materials_complete");
    let basic = BasicInfo {
        processor_name: c.text("basic.processor_name"),
        legal_representative_name: c.text("basic.legal_representative_name"),
        address: c.text("basic.address"),
        contact_person: c.text("basic.contact_person"),
        contact_phone: c.text("basic.contact_phone"),
        contact_email: c.text("basic.contact_email"),
        business_scope: c.text("basic.business_scope"),
        industry: c.text("basic.industry"),
        covered_by_head_office: c.yes_no("basic.covered_by_head_office"),
        head_office_uscc: c.text("basic.head_office_uscc"),
    };
    let location = DeviceLocation {
        description: c.text("purposes.device_locations[0].description"),
        location_kind: c
            .choice("purposes.device_locations[0].location_kind")
            .and_then(|k| code_of(&LocationKind::ALL, LocationKind::as_str, &k)),
        device_count: count(c.integer("purposes.device_locations[0].device_count")),
    };
    let purposes = PurposesAndMethods {
        purpose: c.text("purposes.purpose"),
        necessity: c.text("purposes.necessity"),
        verification_1_1: c.yes_no("purposes.verification_1_1"),
        identification_1_n: c.yes_no("purposes.identification_1_n"),
        scenarios: c
            .choices("purposes.scenarios")
            .iter()
            .filter_map(|s| code_of(&Scenario::ALL, Scenario::as_str, s))
            .collect(),
        other_scenario_description: c.text("purposes.other_scenario_description"),
        in_public_places: c.yes_no("purposes.in_public_places"),
        signage_in_place: c.yes_no("purposes.signage_in_place"),
        for_public_safety: c.yes_no("purposes.for_public_safety"),
        device_locations: given(location).into_iter().collect(),
        stored_on_device_only: c.yes_no("purposes.stored_on_device_only"),
        transmitted_over_internet: c.yes_no("purposes.transmitted_over_internet"),
        separate_consent_for_transmission: c.yes_no("purposes.separate_consent_for_transmission"),
        separate_consent_obtained: c.yes_no("purposes.separate_consent_obtained"),
        consent_withdrawable: c.yes_no("purposes.consent_withdrawable"),
        processes_minors_under_14: c.yes_no("purposes.processes_minors_under_14"),
        guardian_consent: c.yes_no("purposes.guardian_consent"),
        special_rules_for_minors: c.yes_no("purposes.special_rules_for_minors"),
        non_face_alternative_offered: c.yes_no("purposes.non_face_alternative_offered"),
        alternative_description: c.text("purposes.alternative_description"),
    };
    let security = SecurityMeasures {
        encryption: c.yes_no("storage.security.encryption"),
        security_audit: c.yes_no("storage.security.security_audit"),
        access_control: c.yes_no("storage.security.access_control"),
        authorisation_management: c.yes_no("storage.security.authorisation_management"),
        intrusion_detection: c.yes_no("storage.security.intrusion_detection"),
        notes: c.text("storage.security.notes"),
    };
    let storage = StorageAndSecurity {
        people_stored: c.integer("storage.people_stored"),
        reached_threshold_on: c.date("storage.reached_threshold_on"),
        retention_period_days: count(c.integer("storage.retention_period_days")),
        security: given(security),
    };
    let rules = ProcessingRules {
        processing_rules: c.text("rules.processing_rules"),
        operating_procedures: c.text("rules.operating_procedures"),
        notice_to_individuals: c.text("rules.notice_to_individuals"),
    };
    let pipia = PipiaReport {
        completed_on: c.date("pipia.completed_on"),
        summary: c.text("pipia.summary"),
        conclusion: c.text("pipia.conclusion"),
    };
    let change = ChangeDetails {
        changed_on: c.date("change.changed_on"),
        what_changed: c.choices("change.what_changed"),
        description: c.text("change.description"),
    };
    let deregistration = DeregistrationDetails {
        ended_on: c.date("deregistration.ended_on"),
        disposal_method: c
            .choice("deregistration.disposal_method")
            .and_then(|k| code_of(&DisposalMethod::ALL, DisposalMethod::as_str, &k)),
        disposal_description: c.text("deregistration.disposal_description"),
        disposed_on: c.date("deregistration.disposed_on"),
    };
    let form = FilingForm {
        basic: given(basic),
        purposes: given(purposes),
        storage: given(storage),
        rules: given(rules),
        pipia: given(pipia),
        change: given(change),
        deregistration: given(deregistration),
    };
    Some(Row {
        number: c.number(),
        kind: kind?,
        uscc: uscc?,
        received_on: received_on?,
        previous_number,
        province,
        materials_complete: materials_complete?,
        form,
    })
}

/// What the checks of a row found out, for writing it.
struct Checked {
    uscc: Uscc,
    trigger_date: NaiveDate,
    processor_name: String,
}

/// The time a paper submission counts as made: now when it arrived today, else the start of
/// the day it arrived (China time).
fn submitted_at(received_on: NaiveDate, today: NaiveDate) -> DateTime<Utc> {
    if received_on == today {
        return Utc::now();
    }
    received_on
        .and_hms_opt(0, 0, 0)
        .and_then(|t| china_offset().from_local_datetime(&t).single())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    run: &Run<'_>,
    rows: Vec<Row>,
) -> Result<Vec<Created>, Stop> {
    let sheet = &run.sheet;
    let mut problems: Vec<CellProblem> = Vec::new();

    // 1. Each row on its own: the form as an online submission is checked, the USCC, the
    //    previous record named when the kind needs one, the day received.
    let mut checked: Vec<Option<Checked>> = Vec::with_capacity(rows.len());
    for row in &rows {
        let before = problems.len();
        if row.received_on > run.today {
            problems.push(sheet.problem(
                row.number,
                "received_on",
                "field.date_in_future",
                format!("{} is after today ({})", row.received_on, run.today),
            ));
        }
        let uscc = Uscc::parse(&row.uscc)
            .map_err(|e| {
                problems.push(sheet.problem(
                    row.number,
                    "uscc",
                    "field.invalid_uscc",
                    e.to_string(),
                ))
            })
            .ok();
        match (row.kind.needs_previous_record(), &row.previous_number) {
            (true, None) => problems.push(
                sheet.problem(
                    row.number,
                    "previous_filing_number",
                    "field.required",
                    "a change or deregistration names the filing number of the record it acts on"
                        .to_owned(),
                ),
            ),
            (false, Some(_)) => problems.push(sheet.problem(
                row.number,
                "previous_filing_number",
                "field.not_allowed",
                "an initial filing does not name a previous record".to_owned(),
            )),
            _ => {}
        }
        let attachments = if row.materials_complete {
            required_attachments(row.kind).to_vec()
        } else {
            Vec::new()
        };
        let submittable = match check_for_submit(&row.form, row.kind, &attachments, run.today) {
            Ok(s) => Some(s),
            Err(ps) => {
                problems.extend(sheet.problems(row.number, ps));
                None
            }
        };
        checked.push(match (uscc, submittable) {
            (Some(uscc), Some(s)) if problems.len() == before => Some(Checked {
                uscc,
                trigger_date: s.trigger_date(),
                processor_name: s.processor_name().to_owned(),
            }),
            _ => None,
        });
    }

    // 2. The processors: on the platform already, or new from the first row naming them.
    let usccs: Vec<String> = {
        let mut v: Vec<String> = checked
            .iter()
            .flatten()
            .map(|c| c.uscc.as_str().to_owned())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut orgs: HashMap<String, Organisation> = identities::organisations_by_uscc(conn, &usccs)
        .await?
        .into_iter()
        .map(|o| (o.uscc.clone(), o))
        .collect();
    let mut new_orgs: Vec<NewOrganisation> = Vec::new();
    let mut new_org_rows: Vec<u32> = Vec::new();
    let mut known_provinces: HashMap<String, bool> = HashMap::new();
    for (row, c) in rows.iter().zip(&checked) {
        let Some(c) = c else { continue };
        if orgs.contains_key(c.uscc.as_str()) {
            continue;
        }
        let province = row
            .province
            .clone()
            .unwrap_or_else(|| c.uscc.area_code().province().as_str().to_owned());
        let known = match known_provinces.get(&province) {
            Some(k) => *k,
            None => {
                let k = identities::region_exists(conn, &province).await?;
                known_provinces.insert(province.clone(), k);
                k
            }
        };
        if !known {
            problems.push(sheet.problem(
                row.number,
                "province",
                "field.invalid_province",
                format!("{province} is not a province of the region table; choose the province"),
            ));
            continue;
        }
        let basic = row.form.basic.clone().unwrap_or_default();
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).unwrap_or_default();
        let org = NewOrganisation {
            id: Uuid::now_v7(),
            name: c.processor_name.clone(),
            uscc: c.uscc.as_str().to_owned(),
            uscc_checksum_ok: c.uscc.checksum_ok(),
            province_code: province,
            province_confirmed: row.province.is_some(),
            contact_person: text(basic.contact_person),
            contact_email: text(basic.contact_email).to_lowercase(),
            contact_phone: text(basic.contact_phone),
            locale: "zh-CN".to_owned(),
        };
        orgs.insert(org.uscc.clone(), organisation_of(&org));
        new_orgs.push(org);
        new_org_rows.push(row.number);
    }

    // 3. Jurisdiction and the previous records.
    let numbers: Vec<String> = rows
        .iter()
        .filter_map(|r| r.previous_number.clone())
        .collect();
    let filed: HashMap<String, (Uuid, Uuid)> = paper::filed_by_number(conn, &numbers)
        .await?
        .into_iter()
        .map(|(n, id, org)| (n, (id, org)))
        .collect();
    let org_ids: Vec<Uuid> = orgs.values().map(|o| o.id).collect();
    let open: HashMap<Uuid, String> = paper::open_filings(conn, &org_ids)
        .await?
        .into_iter()
        .collect();
    let mut first_row_of: HashMap<Uuid, u32> = HashMap::new();
    let mut previous: Vec<Option<Uuid>> = Vec::with_capacity(rows.len());
    for (row, c) in rows.iter().zip(&checked) {
        previous.push(None);
        let Some(org) = c.as_ref().and_then(|c| orgs.get(c.uscc.as_str())) else {
            continue;
        };
        // One open filing per processor: a second paper form of the same processor (or the
        // same sheet uploaded twice) is refused rather than queued again.
        if let Some(first) = first_row_of.get(&org.id) {
            problems.push(sheet.problem(
                row.number,
                "uscc",
                "field.duplicate",
                format!("the processor is also on row {first} of this sheet"),
            ));
        } else {
            first_row_of.insert(org.id, row.number);
        }
        if let Some(status) = open.get(&org.id) {
            let state = FilingStatus::ALL
                .iter()
                .find(|s| s.as_str() == status)
                .map_or(status.as_str(), |s| s.name_zh());
            problems.push(sheet.problem(
                row.number,
                "uscc",
                "field.open_filing",
                format!(
                    "the processor already has a filing in progress ({state}); work on that filing instead"
                ),
            ));
        }
        if !run.caller.may(
            run.core,
            Resource::FILING,
            Action::Review,
            Some(&org.province_code),
        ) {
            problems.push(sheet.problem(
                row.number,
                "uscc",
                "field.outside_jurisdiction",
                format!(
                    "the processor is registered in province {}, outside your jurisdiction",
                    org.province_code
                ),
            ));
        }
        if let Some(number) = &row.previous_number {
            match filed.get(number) {
                Some((id, owner)) if *owner == org.id => {
                    if let Some(p) = previous.last_mut() {
                        *p = Some(*id);
                    }
                }
                _ => problems.push(sheet.problem(
                    row.number,
                    "previous_filing_number",
                    "field.not_filed",
                    format!("{number} is not a filed (已备案) record of this processor"),
                )),
            }
        }
    }
    Stop::unless_empty(problems)?;
    tracing::info!(
        rows = rows.len(),
        "import of paper filings: every row checked"
    );

    // 4. Everything checked: write, a batch at a time.
    let actor = &run.caller.actor;
    let staff = run.caller.principal.user_id;
    let settings = &run.core.settings.filing;
    let calendar = run
        .core
        .calendars
        .get(conn)
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("{e}")))?;
    if !new_orgs.is_empty() {
        identities::insert_organisations(conn, &new_orgs).await?;
        let events = new_orgs
            .iter()
            .zip(&new_org_rows)
            .map(|(o, row)| NewEvent {
                action: "organisation.created",
                entity_type: "organisation",
                entity_id: o.id.to_string(),
                after: json!({
                    "name": o.name, "uscc": o.uscc, "province_code": o.province_code,
                    "uscc_checksum_ok": o.uscc_checksum_ok,
                    "source": "paper filing import", "sheet_row": row,
                }),
            })
            .collect();
        audit::record_many(conn, actor, events).await?;
    }
    let mut created = Vec::with_capacity(rows.len());
    let mut items = rows.into_iter().zip(checked).zip(previous).peekable();
    while items.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        let mut dues = Vec::with_capacity(2 * BATCH);
        let mut events = Vec::with_capacity(BATCH);
        for ((row, c), previous_filing_id) in items.by_ref().take(BATCH) {
            let Some(c) = c else { continue };
            let Some(org) = orgs.get(c.uscc.as_str()) else {
                continue;
            };
            let id = Uuid::now_v7();
            let at = submitted_at(row.received_on, run.today);
            // The paper's arrival is its submission.
            let planned = plan(
                &calendar,
                settings,
                row.kind,
                &row.form,
                org.uscc_checksum_ok,
                Arrival {
                    trigger: c.trigger_date,
                    first_arrived_on: row.received_on,
                    arrived_on: row.received_on,
                    review_days_used: 0,
                },
            )?;
            let (statutory, review) = (&planned.statutory, &planned.review);
            let assessment = &planned.assessment;
            events.push(NewEvent {
                action: "filing.entered_from_paper",
                entity_type: filing_store::ENTITY,
                entity_id: id.to_string(),
                after: json!({
                    "status": FilingStatus::Submitted.as_str(),
                    "kind": row.kind.as_str(),
                    "submitted_via": "paper",
                    "received_on": row.received_on,
                    "trigger_date": c.trigger_date,
                    "due_date": statutory.due_date(),
                    "provisional": statutory.evaluation.provisional,
                    "late_by_working_days": statutory.evaluation.late_by,
                    "calendar_versions": statutory.evaluation.calendar_versions,
                    "previous_filing_id": previous_filing_id,
                    "sheet_row": row.number,
                }),
            });
            dues.push(NewDeadline::planned(
                filing_store::ENTITY,
                id,
                STATUTORY_DEADLINE,
                statutory,
            ));
            dues.push(NewDeadline::planned(
                filing_store::ENTITY,
                id,
                REVIEW_DEADLINE,
                review,
            ));
            created.push(Created {
                row: row.number,
                id: Some(id),
                reference: org.uscc.clone(),
            });
            batch.push(SubmittedFiling {
                id,
                organisation_id: org.id,
                province_code: org.province_code.clone(),
                kind: row.kind.as_str(),
                status: FilingStatus::Submitted.as_str(),
                form: serde_json::to_value(&row.form).map_err(anyhow::Error::from)?,
                previous_filing_id,
                trigger_date: Some(c.trigger_date),
                submitted_at: Some(at),
                first_submitted_at: Some(at),
                created_by: staff,
                risk_level: assessment.level.as_str(),
                risk_rank: assessment.level.rank(),
                risk_flags: serde_json::to_value(&assessment.flags).map_err(anyhow::Error::from)?,
                review_due_date: Some(review.due_date()),
                statutory_due_date: Some(statutory.due_date()),
                late_by_working_days: statutory.evaluation.late_by,
                submitted_via: "paper",
            });
        }
        paper::insert(conn, &batch, &dues).await?;
        audit::record_many(conn, actor, events).await?;
    }
    Ok(created)
}

/// The organisation a new row will be, for the rows after it.
fn organisation_of(o: &NewOrganisation) -> Organisation {
    let now = Utc::now();
    Organisation {
        id: o.id,
        name: o.name.clone(),
        uscc: o.uscc.clone(),
        uscc_checksum_ok: o.uscc_checksum_ok,
        province_code: o.province_code.clone(),
        province_confirmed: o.province_confirmed,
        contact_person: o.contact_person.clone(),
        contact_email: o.contact_email.clone(),
        contact_phone: o.contact_phone.clone(),
        created_at: now,
        updated_at: now,
        locale: o.locale.clone(),
        status: "active".to_owned(),
    }
}

/// A paper submission to write as a row of the import's sheet: samples for QA, tests and the
/// import benchmark.
#[derive(Debug, Clone)]
pub struct PaperFiling {
    pub kind: FilingKind,
    pub uscc: String,
    pub received_on: NaiveDate,
    pub previous_filing_number: Option<String>,
    pub province: Option<String>,
    pub materials_complete: bool,
    pub form: FilingForm,
}

/// The value at a column key (`purposes.device_locations[0].description`) of a form as JSON.
fn at_path<'a>(json: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    key.split('.')
        .try_fold(json, |v, part| match part.split_once('[') {
            Some((field, index)) => v
                .get(field)?
                .get(index.trim_end_matches(']').parse::<usize>().ok()?),
            None => v.get(part),
        })
}

fn cell_of(v: &serde_json::Value, date: bool) -> ExportCell {
    use serde_json::Value as J;
    match v {
        J::Bool(b) => ExportCell::Text(if *b { "是" } else { "否" }.to_owned()),
        J::Number(n) => n.as_f64().map_or(ExportCell::Empty, ExportCell::Number),
        J::String(s) if date => s
            .parse::<NaiveDate>()
            .map_or_else(|_| ExportCell::Text(s.clone()), ExportCell::Date),
        J::String(s) => ExportCell::Text(s.clone()),
        J::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(J::as_str).collect();
            ExportCell::Text(parts.join("、"))
        }
        _ => ExportCell::Empty,
    }
}

/// Writes `rows` as a filled-in `filings` import workbook at `path` (rows written, in
/// constant memory).
pub fn write_workbook(
    path: &std::path::Path,
    rows: impl IntoIterator<Item = PaperFiling>,
) -> Result<u64, frt_sheets::export::XlsxError> {
    let spec = spec(Vec::new());
    let headers = spec.headers();
    let cells = rows.into_iter().map(move |r| {
        let json = serde_json::to_value(&r.form).unwrap_or_default();
        spec.columns
            .iter()
            .map(|c| match c.key {
                "kind" => ExportCell::Text(r.kind.name_zh().to_owned()),
                "uscc" => ExportCell::Text(r.uscc.clone()),
                "received_on" => ExportCell::Date(r.received_on),
                "previous_filing_number" => r.previous_filing_number.clone().into(),
                "province" => r.province.clone().into(),
                "materials_complete" => {
                    ExportCell::Text(if r.materials_complete { "是" } else { "否" }.to_owned())
                }
                key => at_path(&json, key).map_or(ExportCell::Empty, |v| {
                    cell_of(v, matches!(c.kind, frt_sheets::ColumnKind::Date))
                }),
            })
            .collect()
    });
    frt_sheets::export::write_sheet(path, spec.sheet, &headers, cells)
}
