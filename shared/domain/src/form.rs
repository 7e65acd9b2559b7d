//! The filing form (备案材料): the five materials of Art. 15 as typed sections, saved freely
//! as a draft and checked as a whole before submission.
//!
//! A draft may miss anything, so every field is optional and serde accepts any subset, but
//! never an unknown field: a misspelt key must not silently drop an answer. [`check_for_submit`]
//! turns a form into a [`SubmittableFiling`] or lists every problem at once, each tied to a
//! field path the portal can highlight. It checks completeness and consistency only; whether
//! an answer is risky (no guardian consent, a device in a toilet) is for the reviewer's risk
//! flags, not a reason to refuse the submission.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::contact::{Email, Phone};
use crate::filing::FilingKind;
use crate::ids::Uscc;

/// People stored at which filing becomes due (Art. 15).
pub const FILING_THRESHOLD: u64 = 100_000;
/// Longest name (processor, person, industry), in characters.
pub const NAME_MAX: usize = 200;
/// Longest one-line text (address, device location), in characters.
pub const LINE_MAX: usize = 500;
/// Longest free text (purpose, rules, PIPIA summary), in characters.
pub const TEXT_MAX: usize = 10_000;
/// Longest email address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;
/// Most entries in one list, so a hostile draft cannot produce an unbounded problem list.
pub const LIST_MAX: usize = 1_000;

/// The five materials of Art. 15, by their section key in [`FilingForm`].
const SECTION_NAMES: [&str; 5] = ["basic", "purposes", "storage", "rules", "pipia"];

/// Section keys of the five materials, in the order of Art. 15; what a change filing may name
/// in `change.what_changed`.
pub fn section_names() -> &'static [&'static str] {
    &SECTION_NAMES
}

pub mod code {
    //! Stable problem codes of [`super::FieldProblem`]: clients match on them, so never rename
    //! one.

    /// A field the reviewer needs is missing or blank.
    pub const REQUIRED: &str = "required";
    /// A list that needs at least one entry is empty.
    pub const EMPTY_LIST: &str = "empty_list";
    /// A list has more than [`super::LIST_MAX`] entries.
    pub const TOO_MANY: &str = "too_many";
    /// A text is longer than its limit.
    pub const TOO_LONG: &str = "too_long";
    /// The number of people stored is below 100,000 on an initial filing.
    pub const BELOW_THRESHOLD: &str = "below_threshold";
    /// A number is outside its allowed range (e.g. zero devices).
    pub const OUT_OF_RANGE: &str = "out_of_range";
    /// A date is after today.
    pub const DATE_IN_FUTURE: &str = "date_in_future";
    /// Two dates are in the wrong order.
    pub const DATE_ORDER: &str = "date_order";
    /// Two answers contradict each other.
    pub const INCONSISTENT: &str = "inconsistent";
    /// Neither 1:1 verification nor 1:N identification is selected.
    pub const NO_METHOD_SELECTED: &str = "no_method_selected";
    /// The contact email does not look like an email address.
    pub const INVALID_EMAIL: &str = "invalid_email";
    /// The contact phone is not 7–20 digits, spaces, dashes and a leading plus.
    pub const INVALID_PHONE: &str = "invalid_phone";
    /// A Unified Social Credit Code does not have the shape of one.
    pub const INVALID_USCC: &str = "invalid_uscc";
    /// A change filing names a section that does not exist.
    pub const UNKNOWN_SECTION: &str = "unknown_section";
    /// A list names the same entry twice.
    pub const DUPLICATE: &str = "duplicate";
}

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

/// Where face recognition is used (应用场景).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// 门禁: entry to buildings, sites or residential compounds.
    AccessControl,
    /// 支付: paying by face.
    Payment,
    /// 考勤: staff attendance.
    Attendance,
    /// 身份核验: verifying a customer's identity (e.g. opening an account).
    IdentityVerification,
    /// 公共安全: public-safety surveillance.
    PublicSafety,
    /// 客流分析: counting or profiling customers.
    CustomerAnalytics,
    /// 其他: described in `other_scenario_description`.
    Other,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Self::AccessControl,
        Self::Payment,
        Self::Attendance,
        Self::IdentityVerification,
        Self::PublicSafety,
        Self::CustomerAnalytics,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessControl => "access_control",
            Self::Payment => "payment",
            Self::Attendance => "attendance",
            Self::IdentityVerification => "identity_verification",
            Self::PublicSafety => "public_safety",
            Self::CustomerAnalytics => "customer_analytics",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::AccessControl => "门禁",
            Self::Payment => "支付",
            Self::Attendance => "考勤",
            Self::IdentityVerification => "身份核验",
            Self::PublicSafety => "公共安全",
            Self::CustomerAnalytics => "客流分析",
            Self::Other => "其他",
        }
    }
}

/// What kind of place a face-recognition device (人脸识别设备) is installed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// 公共场所: a place open to the public (Art. 13: only for public safety, with signs).
    PublicArea,
    /// 工作场所: premises used by staff.
    Workplace,
    /// 居住区: a residential compound.
    Residential,
    /// 私密空间: inside a hotel room, bath, locker room or toilet, which Art. 13 forbids; the
    /// form records it truthfully and the risk flags raise it.
    PrivateSpace,
    /// 其他.
    Other,
}

impl LocationKind {
    pub const ALL: [LocationKind; 5] = [
        Self::PublicArea,
        Self::Workplace,
        Self::Residential,
        Self::PrivateSpace,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublicArea => "public_area",
            Self::Workplace => "workplace",
            Self::Residential => "residential",
            Self::PrivateSpace => "private_space",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PublicArea => "公共场所",
            Self::Workplace => "工作场所",
            Self::Residential => "居住区",
            Self::PrivateSpace => "私密空间",
            Self::Other => "其他",
        }
    }
}

/// How face information was disposed of (依法处理人脸信息) after deregistration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisposalMethod {
    /// 删除.
    Deleted,
    /// 匿名化处理: anonymised information is no longer face information (Art. 19).
    Anonymised,
    /// 其他, described in `disposal_description`.
    Other,
}

impl DisposalMethod {
    pub const ALL: [DisposalMethod; 3] = [Self::Deleted, Self::Anonymised, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deleted => "deleted",
            Self::Anonymised => "anonymised",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Deleted => "删除",
            Self::Anonymised => "匿名化处理",
            Self::Other => "其他",
        }
    }
}

/// A document uploaded with a filing, from the nine items of CAC's filing notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// 营业执照/统一社会信用代码证书, sealed.
    UsccCertificate,
    /// 法定代表人身份证件.
    LegalRepresentativeId,
    /// 经办人身份证件: the person submitting the filing.
    FilerId,
    /// 授权委托书, sealed: the filer's authorisation.
    AuthorisationLetter,
    /// 承诺书, sealed.
    CommitmentLetter,
    /// 个人信息保护影响评估报告: the signed PIPIA report, besides its summary in the form.
    PipiaReport,
    /// 其他材料: anything else the case needs.
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 7] = [
        Self::UsccCertificate,
        Self::LegalRepresentativeId,
        Self::FilerId,
        Self::AuthorisationLetter,
        Self::CommitmentLetter,
        Self::PipiaReport,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UsccCertificate => "uscc_certificate",
            Self::LegalRepresentativeId => "legal_representative_id",
            Self::FilerId => "filer_id",
            Self::AuthorisationLetter => "authorisation_letter",
            Self::CommitmentLetter => "commitment_letter",
            Self::PipiaReport => "pipia_report",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::UsccCertificate => "统一社会信用代码证书",
            Self::LegalRepresentativeId => "法定代表人身份证件",
            Self::FilerId => "经办人身份证件",
            Self::AuthorisationLetter => "授权委托书",
            Self::CommitmentLetter => "承诺书",
            Self::PipiaReport => "个人信息保护影响评估报告",
            Self::Other => "其他材料",
        }
    }

    /// English name, used in problem messages.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::UsccCertificate => "the sealed USCC certificate",
            Self::LegalRepresentativeId => "the legal representative's ID document",
            Self::FilerId => "the filer's ID document",
            Self::AuthorisationLetter => "the sealed authorisation letter",
            Self::CommitmentLetter => "the sealed commitment letter",
            Self::PipiaReport => "the PIPIA report",
            Self::Other => "other material",
        }
    }
}

named_enum!(Scenario, "scenario");
named_enum!(LocationKind, "location kind");
named_enum!(DisposalMethod, "disposal method");
named_enum!(AttachmentKind, "attachment kind");

/// Attachments a filing of `kind` cannot be submitted without.
///
/// A change or deregistration acts on a record that already holds the certificate and the
/// legal representative's ID, so only the filer's papers (and for a change, the redone PIPIA
/// report) come again.
pub fn required_attachments(kind: FilingKind) -> &'static [AttachmentKind] {
    use AttachmentKind as A;
    match kind {
        FilingKind::Initial => &[
            A::UsccCertificate,
            A::LegalRepresentativeId,
            A::FilerId,
            A::AuthorisationLetter,
            A::CommitmentLetter,
            A::PipiaReport,
        ],
        FilingKind::Change => &[
            A::FilerId,
            A::AuthorisationLetter,
            A::CommitmentLetter,
            A::PipiaReport,
        ],
        FilingKind::Deregistration => &[A::FilerId, A::AuthorisationLetter, A::CommitmentLetter],
    }
}

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

/// The filing form as a processor saves it: the five materials of Art. 15, plus what a change
/// or deregistration adds. Any part may be missing in a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FilingForm {
    /// (1) 个人信息处理者基本情况.
    pub basic: Option<BasicInfo>,
    /// (2) 人脸信息处理目的和处理方式.
    pub purposes: Option<PurposesAndMethods>,
    /// (3) 人脸信息存储数量和安全保护措施.
    pub storage: Option<StorageAndSecurity>,
    /// (4) 人脸信息的处理规则和操作规程.
    pub rules: Option<ProcessingRules>,
    /// (5) 个人信息保护影响评估报告.
    pub pipia: Option<PipiaReport>,
    /// What a change filing (变更备案) changes; ignored for other kinds.
    pub change: Option<ChangeDetails>,
    /// How use ended, for deregistration (注销备案); ignored for other kinds.
    pub deregistration: Option<DeregistrationDetails>,
}

/// (1) Basic information about the personal-information processor (个人信息处理者基本情况).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BasicInfo {
    /// 个人信息处理者名称, as on the USCC certificate.
    pub processor_name: Option<String>,
    /// 法定代表人.
    pub legal_representative_name: Option<String>,
    /// 地址.
    pub address: Option<String>,
    /// 联系人.
    pub contact_person: Option<String>,
    /// 联系电话.
    pub contact_phone: Option<String>,
    /// 电子邮箱.
    pub contact_email: Option<String>,
    /// 经营范围.
    pub business_scope: Option<String>,
    /// 所属行业.
    pub industry: Option<String>,
    /// Whether this is a branch whose processing its head office's filing covers (分支机构).
    pub covered_by_head_office: Option<bool>,
    /// The head office's USCC, when `covered_by_head_office`.
    pub head_office_uscc: Option<String>,
}

/// (2) Purposes and methods of processing face information (处理目的和处理方式), with the
/// answers a reviewer needs for Arts. 4–13.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PurposesAndMethods {
    /// 处理目的 (Art. 4: a specific purpose).
    pub purpose: Option<String>,
    /// 必要性说明 (Art. 4: sufficient necessity, least intrusive means).
    pub necessity: Option<String>,
    /// 验证个人身份: one-to-one comparison (Art. 19).
    pub verification_1_1: Option<bool>,
    /// 辨识特定个人: one-to-many comparison (Art. 19).
    pub identification_1_n: Option<bool>,
    pub scenarios: Vec<Scenario>,
    /// What `Scenario::Other` means here.
    pub other_scenario_description: Option<String>,
    /// Devices in public places (公共场所, Art. 13).
    pub in_public_places: Option<bool>,
    /// 显著提示标识 at every public-place device.
    pub signage_in_place: Option<bool>,
    /// Public-place devices are needed for public safety (维护公共安全所必需).
    pub for_public_safety: Option<bool>,
    pub device_locations: Vec<DeviceLocation>,
    /// Face information stays in the device (存储于人脸识别设备内, Art. 8).
    pub stored_on_device_only: Option<bool>,
    /// Face information is sent out over the internet (通过互联网对外传输, Art. 8).
    pub transmitted_over_internet: Option<bool>,
    /// Separate consent covers that transmission.
    pub separate_consent_for_transmission: Option<bool>,
    /// 单独同意 obtained before processing (Art. 6).
    pub separate_consent_obtained: Option<bool>,
    /// Individuals can withdraw consent conveniently (撤回同意, Art. 6).
    pub consent_withdrawable: Option<bool>,
    /// Faces of children under 14 (不满十四周岁未成年人) are processed (Art. 7).
    pub processes_minors_under_14: Option<bool>,
    /// 监护人同意 obtained.
    pub guardian_consent: Option<bool>,
    /// 专门的处理规则 for minors exist.
    pub special_rules_for_minors: Option<bool>,
    /// A non-face alternative is offered (Art. 10).
    pub non_face_alternative_offered: Option<bool>,
    pub alternative_description: Option<String>,
}

/// One group of face-recognition devices and where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceLocation {
    pub description: Option<String>,
    pub location_kind: Option<LocationKind>,
    /// Said as a 64-bit integer of at most 2³² − 1, which is what is kept.
    #[schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64)]
    pub device_count: Option<u32>,
}

/// A count the documents state as a signed 64-bit integer: a larger one is refused as the
/// document says, not taken because it happens to fit an unsigned one.
fn at_most_i64_max<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = Option::<u64>::deserialize(d)?;
    match n {
        Some(v) if i64::try_from(v).is_err() => Err(serde::de::Error::custom(format!(
            "{v} is larger than the largest count taken ({})",
            i64::MAX
        ))),
        _ => Ok(n),
    }
}

/// (3) Number of people stored and security measures (存储数量和安全保护措施).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StorageAndSecurity {
    /// 人脸信息存储数量, in people (at most 2⁶³ − 1, the largest 64-bit integer).
    #[serde(deserialize_with = "at_most_i64_max")]
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub people_stored: Option<u64>,
    /// The day the count reached 100,000: an initial filing's 30-working-day clock starts here.
    #[schema(value_type = Option<String>, format = Date)]
    pub reached_threshold_on: Option<NaiveDate>,
    /// 保存期限 (Art. 8: the shortest time the purpose needs); at most 2³² − 1.
    #[schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64)]
    pub retention_period_days: Option<u32>,
    pub security: Option<SecurityMeasures>,
}

/// The measures Art. 14 names, each answered yes or no.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityMeasures {
    /// 数据加密.
    pub encryption: Option<bool>,
    /// 安全审计.
    pub security_audit: Option<bool>,
    /// 访问控制.
    pub access_control: Option<bool>,
    /// 授权管理.
    pub authorisation_management: Option<bool>,
    /// 入侵检测和防御.
    pub intrusion_detection: Option<bool>,
    pub notes: Option<String>,
}

/// (4) Processing rules and operating procedures (处理规则和操作规程).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessingRules {
    /// 处理规则.
    pub processing_rules: Option<String>,
    /// 操作规程.
    pub operating_procedures: Option<String>,
    /// What individuals are told before processing (告知事项, Art. 5).
    pub notice_to_individuals: Option<String>,
}

/// (5) The personal-information-protection impact assessment report (个人信息保护影响评估报告,
/// PIPIA, Art. 9); the signed report itself is an attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PipiaReport {
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<NaiveDate>,
    pub summary: Option<String>,
    pub conclusion: Option<String>,
}

/// A substantive change (实质性变更) to a filed record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeDetails {
    /// 变更之日: the change filing's 30-working-day clock starts here.
    #[schema(value_type = Option<String>, format = Date)]
    pub changed_on: Option<NaiveDate>,
    /// Section keys from [`section_names`].
    pub what_changed: Vec<String>,
    pub description: Option<String>,
}

/// The end of face-recognition use (终止应用) and what happened to the faces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeregistrationDetails {
    /// 终止之日: deregistration's 30-working-day clock starts here.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<NaiveDate>,
    pub disposal_method: Option<DisposalMethod>,
    pub disposal_description: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub disposed_on: Option<NaiveDate>,
}

/// Where a filing of one kind gives its trigger date: the day the statutory 30-working-day
/// clock (Art. 15) starts. The one place that says it: the form is read through it, a missing
/// date is reported at its path, and SQL that reads drafts builds its expression from it.
pub struct Trigger {
    pub kind: FilingKind,
    /// Dotted path of the field, e.g. `storage.reached_threshold_on`.
    pub path: &'static str,
    read: fn(&FilingForm) -> Option<NaiveDate>,
}

impl Trigger {
    /// The field's path as a JSON path of its parts, for SQL's `#>>` (`{storage,reached_threshold_on}`).
    pub fn json_path(&self) -> String {
        format!("{{{}}}", self.path.replace('.', ","))
    }
}

/// The trigger of each kind of filing.
pub const TRIGGERS: [Trigger; 3] = [
    Trigger {
        kind: FilingKind::Initial,
        path: "storage.reached_threshold_on",
        read: |f| f.storage.as_ref()?.reached_threshold_on,
    },
    Trigger {
        kind: FilingKind::Change,
        path: "change.changed_on",
        read: |f| f.change.as_ref()?.changed_on,
    },
    Trigger {
        kind: FilingKind::Deregistration,
        path: "deregistration.ended_on",
        read: |f| f.deregistration.as_ref()?.ended_on,
    },
];

/// The trigger of `kind`.
pub fn trigger_of(kind: FilingKind) -> &'static Trigger {
    match kind {
        FilingKind::Initial => &TRIGGERS[0],
        FilingKind::Change => &TRIGGERS[1],
        FilingKind::Deregistration => &TRIGGERS[2],
    }
}

impl FilingForm {
    /// The day the statutory 30-working-day clock starts for a filing of `kind`, if given.
    pub fn trigger_date(&self, kind: FilingKind) -> Option<NaiveDate> {
        (trigger_of(kind).read)(self)
    }
}

/// Field path of the trigger date of `kind`.
fn trigger_path(kind: FilingKind) -> &'static str {
    trigger_of(kind).path
}

// ---------------------------------------------------------------------------------------------
// Checking for submission
// ---------------------------------------------------------------------------------------------

/// One reason a form cannot be submitted yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// Dotted path of the field, e.g. `purposes.device_locations[1].location_kind`.
    pub path: String,
    /// Stable code from [`code`], e.g. `required`.
    pub code: String,
    /// One English sentence for the person filling in the form.
    pub message: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.code)
    }
}

/// A form that passed [`check_for_submit`] for its kind; only that function makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittableFiling {
    kind: FilingKind,
    trigger_date: NaiveDate,
    people_stored: Option<u64>,
    processor_name: String,
    form: FilingForm,
}

impl SubmittableFiling {
    pub fn kind(&self) -> FilingKind {
        self.kind
    }

    /// The day the 30-working-day clock of Art. 15 starts.
    pub fn trigger_date(&self) -> NaiveDate {
        self.trigger_date
    }

    /// Always present for initial and change filings; a deregistration may omit it.
    pub fn people_stored(&self) -> Option<u64> {
        self.people_stored
    }

    /// Trimmed.
    pub fn processor_name(&self) -> &str {
        &self.processor_name
    }

    pub fn form(&self) -> &FilingForm {
        &self.form
    }

    pub fn into_form(self) -> FilingForm {
        self.form
    }
}

/// Checks that `form` is complete and consistent for a filing of `kind`, with `attachments`
/// uploaded, as of `today` (in Asia/Shanghai). Returns every problem, never just the first.
///
/// Initial and change filings need all five materials; a deregistration needs the basic
/// information and its own section, and the other sections, if present, are checked only for
/// what they say, not for what they miss.
pub fn check_for_submit(
    form: &FilingForm,
    kind: FilingKind,
    attachments: &[AttachmentKind],
    today: NaiveDate,
) -> Result<SubmittableFiling, Vec<FieldProblem>> {
    let mut c = Checker {
        today,
        problems: Vec::new(),
    };
    let five_required = kind != FilingKind::Deregistration;

    // A missing required section is checked as an empty one, so each of its fields gets its
    // own problem and the portal can highlight them all.
    let processor_name = check_basic(&mut c, form.basic.as_ref().unwrap_or(&BasicInfo::default()));
    if let Some((s, need)) = pick(form.purposes.as_ref(), five_required) {
        check_purposes(&mut c, &s, need);
    }
    if let Some((s, need)) = pick(form.storage.as_ref(), five_required) {
        check_storage(&mut c, &s, need, kind);
    }
    if let Some((s, need)) = pick(form.rules.as_ref(), five_required) {
        check_rules(&mut c, &s, need);
    }
    if let Some((s, need)) = pick(form.pipia.as_ref(), five_required) {
        check_pipia(&mut c, &s, need);
    }
    match kind {
        FilingKind::Initial => {}
        FilingKind::Change => check_change(
            &mut c,
            form.change.as_ref().unwrap_or(&ChangeDetails::default()),
        ),
        FilingKind::Deregistration => check_deregistration(
            &mut c,
            form.deregistration
                .as_ref()
                .unwrap_or(&DeregistrationDetails::default()),
        ),
    }
    for needed in required_attachments(kind) {
        if !attachments.contains(needed) {
            c.push(
                format!("attachments.{}", needed.as_str()),
                code::REQUIRED,
                format!("Attach {} ({}).", needed.name_en(), needed.name_zh()),
            );
        }
    }

    match (form.trigger_date(kind), processor_name) {
        (Some(trigger_date), Some(processor_name)) if c.problems.is_empty() => {
            Ok(SubmittableFiling {
                kind,
                trigger_date,
                people_stored: form.storage.as_ref().and_then(|s| s.people_stored),
                processor_name,
                form: form.clone(),
            })
        }
        (trigger_date, processor_name) => {
            // Unreachable while the section checks require both; kept so an Err is never empty.
            if c.problems.is_empty() && processor_name.is_none() {
                c.missing("basic.processor_name", "The processor's name");
            }
            if c.problems.is_empty() && trigger_date.is_none() {
                c.missing(trigger_path(kind), "The date the filing period starts");
            }
            Err(c.problems)
        }
    }
}

/// The section to check and whether its fields are required, or `None` to skip it.
fn pick<T: Default + Clone>(value: Option<&T>, need: bool) -> Option<(Cow<'_, T>, bool)> {
    match value {
        Some(s) => Some((Cow::Borrowed(s), need)),
        None if need => Some((Cow::Owned(T::default()), true)),
        None => None,
    }
}

/// Collects problems; each helper reports what is wrong with one field and returns the value
/// only when it is usable for further checks.
struct Checker {
    today: NaiveDate,
    problems: Vec<FieldProblem>,
}

impl Checker {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.problems.push(FieldProblem {
            path: path.into(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    fn missing(&mut self, path: &str, label: &str) {
        self.push(path, code::REQUIRED, format!("{label} is required."));
    }

    /// Non-blank text within `max` characters, trimmed.
    fn text<'a>(
        &mut self,
        need: bool,
        path: &str,
        label: &str,
        value: &'a Option<String>,
        max: usize,
    ) -> Option<&'a str> {
        let text = value.as_deref().map(str::trim).unwrap_or_default();
        if text.is_empty() {
            if need {
                self.missing(path, label);
            }
            return None;
        }
        let len = text.chars().count();
        if len > max {
            self.push(
                path,
                code::TOO_LONG,
                format!("{label} is too long: at most {max} characters, found {len}."),
            );
            return None;
        }
        Some(text)
    }

    /// A yes/no question; `question` completes "Say whether …".
    fn answer(
        &mut self,
        need: bool,
        path: &str,
        question: &str,
        value: Option<bool>,
    ) -> Option<bool> {
        if value.is_none() && need {
            self.push(path, code::REQUIRED, format!("Say whether {question}."));
        }
        value
    }

    fn value<T: Copy>(
        &mut self,
        need: bool,
        path: &str,
        label: &str,
        value: Option<T>,
    ) -> Option<T> {
        if value.is_none() && need {
            self.missing(path, label);
        }
        value
    }

    /// A date that has already happened (today counts).
    fn past_date(
        &mut self,
        need: bool,
        path: &str,
        label: &str,
        value: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let date = self.value(need, path, label, value)?;
        if date > self.today {
            self.push(
                path,
                code::DATE_IN_FUTURE,
                format!(
                    "{label} ({date}) is after today ({}); a filing reports what has happened.",
                    self.today
                ),
            );
            return None;
        }
        Some(date)
    }

    /// A list needing at least one entry and at most [`LIST_MAX`]; returns the entries to check.
    fn list<'a, T>(&mut self, need: bool, path: &str, label: &str, items: &'a [T]) -> &'a [T] {
        if items.is_empty() && need {
            self.push(
                path,
                code::EMPTY_LIST,
                format!("{label} needs at least one entry."),
            );
        }
        if items.len() > LIST_MAX {
            self.push(
                path,
                code::TOO_MANY,
                format!(
                    "{label} has {} entries; at most {LIST_MAX} are accepted.",
                    items.len()
                ),
            );
            return items.get(..LIST_MAX).unwrap_or(items);
        }
        items
    }
}

fn check_basic(c: &mut Checker, b: &BasicInfo) -> Option<String> {
    // Every filing identifies its processor, so this section is always required.
    let need = true;
    let name = c
        .text(
            need,
            "basic.processor_name",
            "The processor's name (个人信息处理者名称)",
            &b.processor_name,
            NAME_MAX,
        )
        .map(str::to_owned);
    c.text(
        need,
        "basic.legal_representative_name",
        "The legal representative's name (法定代表人)",
        &b.legal_representative_name,
        NAME_MAX,
    );
    c.text(
        need,
        "basic.address",
        "The address (地址)",
        &b.address,
        LINE_MAX,
    );
    c.text(
        need,
        "basic.contact_person",
        "The contact person (联系人)",
        &b.contact_person,
        NAME_MAX,
    );
    if let Some(phone) = c.text(
        need,
        "basic.contact_phone",
        "The contact phone (联系电话)",
        &b.contact_phone,
        NAME_MAX,
    ) {
        if Phone::parse(phone).is_err() {
            c.push(
                "basic.contact_phone",
                code::INVALID_PHONE,
                "The contact phone (联系电话) must be 7 to 20 characters: digits, with optional + - ( ) and spaces.",
            );
        }
    }
    if let Some(email) = c.text(
        need,
        "basic.contact_email",
        "The contact email (电子邮箱)",
        &b.contact_email,
        EMAIL_MAX,
    ) {
        if Email::parse(email).is_err() {
            c.push(
                "basic.contact_email",
                code::INVALID_EMAIL,
                "The contact email (电子邮箱) does not look like an email address.",
            );
        }
    }
    c.text(
        need,
        "basic.business_scope",
        "The business scope (经营范围)",
        &b.business_scope,
        TEXT_MAX,
    );
    c.text(
        need,
        "basic.industry",
        "The industry (所属行业)",
        &b.industry,
        NAME_MAX,
    );
    let covered = c.answer(
        need,
        "basic.covered_by_head_office",
        "this is a branch covered by its head office's filing",
        b.covered_by_head_office,
    );
    if let Some(uscc) = c.text(
        need && covered == Some(true),
        "basic.head_office_uscc",
        "The head office's Unified Social Credit Code (统一社会信用代码)",
        &b.head_office_uscc,
        NAME_MAX,
    ) {
        // The check character is not checked here: a few real early codes fail it, so it is
        // a reviewer's warning, not a submission error.
        if let Err(e) = Uscc::parse(uscc) {
            c.push(
                "basic.head_office_uscc",
                code::INVALID_USCC,
                format!("The head office's Unified Social Credit Code (统一社会信用代码) is not valid: {e}."),
            );
        }
    }
    name
}

fn check_purposes(c: &mut Checker, p: &PurposesAndMethods, need: bool) {
    c.text(
        need,
        "purposes.purpose",
        "The purpose of processing (处理目的)",
        &p.purpose,
        TEXT_MAX,
    );
    c.text(
        need,
        "purposes.necessity",
        "The statement of necessity (必要性说明)",
        &p.necessity,
        TEXT_MAX,
    );

    // Two checkboxes: unticked is as good as false, so only "neither" is a problem.
    if need && p.verification_1_1 != Some(true) && p.identification_1_n != Some(true) {
        c.push(
            "purposes.verification_1_1",
            code::NO_METHOD_SELECTED,
            "Select at least one method: 1:1 verification (验证个人身份) or 1:N identification (辨识特定个人).",
        );
    }

    let scenarios = c.list(
        need,
        "purposes.scenarios",
        "The list of scenarios (应用场景)",
        &p.scenarios,
    );
    c.text(
        need && scenarios.contains(&Scenario::Other),
        "purposes.other_scenario_description",
        "A description of the other scenario",
        &p.other_scenario_description,
        LINE_MAX,
    );

    let locations = c.list(
        need,
        "purposes.device_locations",
        "The list of device locations",
        &p.device_locations,
    );
    for (i, loc) in locations.iter().enumerate() {
        let at = |field: &str| format!("purposes.device_locations[{i}].{field}");
        let n = i + 1;
        c.text(
            need,
            &at("description"),
            &format!("A description of device location {n}"),
            &loc.description,
            LINE_MAX,
        );
        c.value(
            need,
            &at("location_kind"),
            &format!("The kind of place of device location {n}"),
            loc.location_kind,
        );
        if c.value(
            need,
            &at("device_count"),
            &format!("The number of devices at location {n}"),
            loc.device_count,
        ) == Some(0)
        {
            c.push(
                at("device_count"),
                code::OUT_OF_RANGE,
                format!("Device location {n} must have at least one device."),
            );
        }
    }

    let public = c.answer(
        need,
        "purposes.in_public_places",
        "devices are installed in public places (公共场所)",
        p.in_public_places,
    );
    if public == Some(true) {
        c.answer(
            need,
            "purposes.signage_in_place",
            "prominent signs (显著提示标识) are in place at the public-place devices",
            p.signage_in_place,
        );
        c.answer(
            need,
            "purposes.for_public_safety",
            "the public-place devices are needed for public safety (维护公共安全)",
            p.for_public_safety,
        );
    }
    if public == Some(false)
        && locations
            .iter()
            .any(|l| l.location_kind == Some(LocationKind::PublicArea))
    {
        c.push(
            "purposes.in_public_places",
            code::INCONSISTENT,
            "A device location is a public area, yet the form says no devices are in public places.",
        );
    }

    let device_only = c.answer(
        need,
        "purposes.stored_on_device_only",
        "face information is stored only on the device (Art. 8)",
        p.stored_on_device_only,
    );
    let transmitted = c.answer(
        need,
        "purposes.transmitted_over_internet",
        "face information is transmitted over the internet (Art. 8)",
        p.transmitted_over_internet,
    );
    if transmitted == Some(true) {
        c.answer(
            need,
            "purposes.separate_consent_for_transmission",
            "separate consent (单独同意) covers the transmission over the internet",
            p.separate_consent_for_transmission,
        );
        if device_only == Some(true) {
            c.push(
                "purposes.stored_on_device_only",
                code::INCONSISTENT,
                "Face information cannot be stored only on the device and also be transmitted over the internet.",
            );
        }
    }

    c.answer(
        need,
        "purposes.separate_consent_obtained",
        "separate consent (单独同意) is obtained before processing (Art. 6)",
        p.separate_consent_obtained,
    );
    c.answer(
        need,
        "purposes.consent_withdrawable",
        "individuals can conveniently withdraw consent (撤回同意)",
        p.consent_withdrawable,
    );

    let minors = c.answer(
        need,
        "purposes.processes_minors_under_14",
        "faces of children under 14 (不满十四周岁未成年人) are processed",
        p.processes_minors_under_14,
    );
    if minors == Some(true) {
        c.answer(
            need,
            "purposes.guardian_consent",
            "a parent's or guardian's consent (监护人同意) is obtained",
            p.guardian_consent,
        );
        c.answer(
            need,
            "purposes.special_rules_for_minors",
            "special processing rules for minors (专门的处理规则) exist",
            p.special_rules_for_minors,
        );
    }

    let alternative = c.answer(
        need,
        "purposes.non_face_alternative_offered",
        "a non-face alternative is offered (Art. 10)",
        p.non_face_alternative_offered,
    );
    c.text(
        need && alternative == Some(true),
        "purposes.alternative_description",
        "A description of the non-face alternative",
        &p.alternative_description,
        TEXT_MAX,
    );
}

fn check_storage(c: &mut Checker, s: &StorageAndSecurity, need: bool, kind: FilingKind) {
    let people = c.value(
        need,
        "storage.people_stored",
        "The number of people stored (人脸信息存储数量)",
        s.people_stored,
    );
    if kind == FilingKind::Initial {
        if let Some(n) = people.filter(|&n| n < FILING_THRESHOLD) {
            c.push(
                "storage.people_stored",
                code::BELOW_THRESHOLD,
                format!("An initial filing is for a store of at least 100,000 people (10万人); the form says {n}."),
            );
        }
    }
    c.past_date(
        need && kind == FilingKind::Initial,
        "storage.reached_threshold_on",
        "The date the store reached 100,000 people",
        s.reached_threshold_on,
    );
    if c.value(
        need,
        "storage.retention_period_days",
        "The retention period (保存期限)",
        s.retention_period_days,
    ) == Some(0)
    {
        c.push(
            "storage.retention_period_days",
            code::OUT_OF_RANGE,
            "The retention period (保存期限) must be at least one day.",
        );
    }

    let Some((m, need)) = pick(s.security.as_ref(), need) else {
        return;
    };
    let measures = [
        ("encryption", "data encryption (数据加密)", m.encryption),
        (
            "security_audit",
            "security audit (安全审计)",
            m.security_audit,
        ),
        (
            "access_control",
            "access control (访问控制)",
            m.access_control,
        ),
        (
            "authorisation_management",
            "authorisation management (授权管理)",
            m.authorisation_management,
        ),
        (
            "intrusion_detection",
            "intrusion detection and prevention (入侵检测和防御)",
            m.intrusion_detection,
        ),
    ];
    for (field, name, value) in measures {
        c.answer(
            need,
            &format!("storage.security.{field}"),
            &format!("{name} is in place (Art. 14)"),
            value,
        );
    }
    c.text(
        false,
        "storage.security.notes",
        "The notes on security measures",
        &m.notes,
        TEXT_MAX,
    );
}

fn check_rules(c: &mut Checker, r: &ProcessingRules, need: bool) {
    c.text(
        need,
        "rules.processing_rules",
        "The processing rules (处理规则)",
        &r.processing_rules,
        TEXT_MAX,
    );
    c.text(
        need,
        "rules.operating_procedures",
        "The operating procedures (操作规程)",
        &r.operating_procedures,
        TEXT_MAX,
    );
    c.text(
        need,
        "rules.notice_to_individuals",
        "The notice to individuals (告知事项)",
        &r.notice_to_individuals,
        TEXT_MAX,
    );
}

fn check_pipia(c: &mut Checker, p: &PipiaReport, need: bool) {
    c.past_date(
        need,
        "pipia.completed_on",
        "The date the PIPIA (个人信息保护影响评估) was completed",
        p.completed_on,
    );
    c.text(
        need,
        "pipia.summary",
        "The PIPIA summary",
        &p.summary,
        TEXT_MAX,
    );
    c.text(
        need,
        "pipia.conclusion",
        "The PIPIA conclusion",
        &p.conclusion,
        TEXT_MAX,
    );
}

fn check_change(c: &mut Checker, ch: &ChangeDetails) {
    c.past_date(
        true,
        "change.changed_on",
        "The date of the change (变更之日)",
        ch.changed_on,
    );
    let names = c.list(
        true,
        "change.what_changed",
        "The list of changed sections",
        &ch.what_changed,
    );
    let mut seen = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        let path = format!("change.what_changed[{i}]");
        let name = name.trim();
        if !SECTION_NAMES.contains(&name) {
            c.push(
                path,
                code::UNKNOWN_SECTION,
                format!(
                    "'{}' is not a section of the form; use one of {}.",
                    name.chars().take(NAME_MAX).collect::<String>(),
                    SECTION_NAMES.join(", ")
                ),
            );
        } else if !seen.insert(name) {
            c.push(
                path,
                code::DUPLICATE,
                format!("Section '{name}' is listed twice."),
            );
        }
    }
    c.text(
        true,
        "change.description",
        "A description of the change",
        &ch.description,
        TEXT_MAX,
    );
}

fn check_deregistration(c: &mut Checker, d: &DeregistrationDetails) {
    let ended = c.past_date(
        true,
        "deregistration.ended_on",
        "The date face recognition stopped being used (终止之日)",
        d.ended_on,
    );
    c.value(
        true,
        "deregistration.disposal_method",
        "How face information was disposed of (处理方式)",
        d.disposal_method,
    );
    c.text(
        true,
        "deregistration.disposal_description",
        "A description of the disposal of face information",
        &d.disposal_description,
        TEXT_MAX,
    );
    let disposed = c.past_date(
        true,
        "deregistration.disposed_on",
        "The date face information was disposed of",
        d.disposed_on,
    );
    if let (Some(ended), Some(disposed)) = (ended, disposed) {
        if disposed < ended {
            c.push(
                "deregistration.disposed_on",
                code::DATE_ORDER,
                format!("Face information cannot be disposed of ({disposed}) before use ended ({ended})."),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

/// A complete, valid form for `kind` whose trigger date is `trigger`; it passes
/// [`check_for_submit`] with [`example_attachments`] on any day from `trigger` on. For the
/// demo seed and tests.
pub fn example_complete(kind: FilingKind, trigger: NaiveDate) -> FilingForm {
    // Earlier dates fall back to the trigger at the edge of the calendar.
    let before = |days: u64| trigger.checked_sub_days(Days::new(days)).unwrap_or(trigger);
    let s = |text: &str| Some(text.to_owned());

    let (reached, pipia_on) = match kind {
        FilingKind::Initial => (trigger, before(30)),
        FilingKind::Change => (before(365), before(7)),
        FilingKind::Deregistration => (before(730), before(400)),
    };
    FilingForm {
        basic: Some(BasicInfo {
            processor_name: s("示例智慧园区科技有限公司"),
            legal_representative_name: s("张三"),
            address: s("上海市浦东新区示例路 1 号"),
            contact_person: s("李四"),
            contact_phone: s("+86 21-5555-0100"),
            contact_email: s("privacy@example.com"),
            business_scope: s("园区物业管理；智能门禁系统运营"),
            industry: s("物业管理 (property management)"),
            covered_by_head_office: Some(false),
            head_office_uscc: None,
        }),
        purposes: Some(PurposesAndMethods {
            purpose: s("Open campus gates for staff and residents; record staff attendance."),
            necessity: s(
                "120,000 registered people and unstaffed gates at night; cards were lent.",
            ),
            verification_1_1: Some(true),
            identification_1_n: Some(false),
            scenarios: vec![Scenario::AccessControl, Scenario::Attendance],
            other_scenario_description: None,
            in_public_places: Some(false),
            signage_in_place: None,
            for_public_safety: None,
            device_locations: vec![
                DeviceLocation {
                    description: s("Office building entrances, towers A to C"),
                    location_kind: Some(LocationKind::Workplace),
                    device_count: Some(24),
                },
                DeviceLocation {
                    description: s("Residential compound gates"),
                    location_kind: Some(LocationKind::Residential),
                    device_count: Some(8),
                },
            ],
            stored_on_device_only: Some(true),
            transmitted_over_internet: Some(false),
            separate_consent_for_transmission: None,
            separate_consent_obtained: Some(true),
            consent_withdrawable: Some(true),
            processes_minors_under_14: Some(false),
            guardian_consent: None,
            special_rules_for_minors: None,
            non_face_alternative_offered: Some(true),
            alternative_description: s(
                "An IC card or QR code from the property office opens every gate.",
            ),
        }),
        storage: Some(StorageAndSecurity {
            people_stored: Some(120_000),
            reached_threshold_on: Some(reached),
            retention_period_days: Some(90),
            security: Some(SecurityMeasures {
                encryption: Some(true),
                security_audit: Some(true),
                access_control: Some(true),
                authorisation_management: Some(true),
                intrusion_detection: Some(true),
                notes: s("Templates encrypted with SM4 on the device; MLPS level 2."),
            }),
        }),
        rules: Some(ProcessingRules {
            processing_rules: s(
                "Enrol only with separate consent; delete 90 days after a person leaves.",
            ),
            operating_procedures: s(
                "Two administrators approve exports; access logs reviewed monthly.",
            ),
            notice_to_individuals: s(
                "Notice at enrolment and each gate: who, why, how long, how to withdraw.",
            ),
        }),
        pipia: Some(PipiaReport {
            completed_on: Some(pipia_on),
            summary: s("Lawfulness, necessity, impact and leak risks assessed under Art. 9."),
            conclusion: s("Risks are acceptable with the measures in place."),
        }),
        change: (kind == FilingKind::Change).then(|| ChangeDetails {
            changed_on: Some(trigger),
            what_changed: vec!["purposes".to_owned(), "storage".to_owned()],
            description: s("Added the residential compound gates; the store grew accordingly."),
        }),
        deregistration: (kind == FilingKind::Deregistration).then(|| DeregistrationDetails {
            ended_on: Some(trigger),
            disposal_method: Some(DisposalMethod::Deleted),
            disposal_description: s(
                "Templates wiped from the devices, the server and the backups.",
            ),
            disposed_on: Some(trigger),
        }),
    }
}

/// The attachments that go with [`example_complete`]: exactly the required ones.
pub fn example_attachments(kind: FilingKind) -> Vec<AttachmentKind> {
    required_attachments(kind).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    const TODAY: (i32, u32, u32) = (2025, 7, 1);

    #[test]
    fn counts_are_taken_within_what_the_documents_say() {
        let storage = |people: &str| {
            serde_json::from_str::<StorageAndSecurity>(&format!(r#"{{"people_stored": {people}}}"#))
        };
        assert_eq!(
            storage("9223372036854775807").map(|s| s.people_stored).ok(),
            Some(Some(i64::MAX as u64))
        );
        assert!(storage("9223372036854775808").is_err());
        assert!(storage("null").is_ok_and(|s| s.people_stored.is_none()));
        assert!(serde_json::from_str::<StorageAndSecurity>("{}")
            .is_ok_and(|s| s.people_stored.is_none()));
    }

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn trigger() -> NaiveDate {
        day(2025, 6, 10)
    }

    /// Problems after `edit` on an otherwise complete form of `kind`.
    fn problems_after(kind: FilingKind, edit: impl FnOnce(&mut FilingForm)) -> Vec<FieldProblem> {
        let mut form = example_complete(kind, trigger());
        edit(&mut form);
        match check_for_submit(&form, kind, &example_attachments(kind), today()) {
            Ok(_) => Vec::new(),
            Err(p) => p,
        }
    }

    /// Asserts exactly one problem, at `path` with `code`.
    fn assert_only(problems: &[FieldProblem], path: &str, code: &str) {
        assert_eq!(
            problems
                .iter()
                .map(|p| (p.path.as_str(), p.code.as_str()))
                .collect::<Vec<_>>(),
            vec![(path, code)],
            "{problems:#?}"
        );
    }

    fn has(problems: &[FieldProblem], path: &str, code: &str) -> bool {
        problems.iter().any(|p| p.path == path && p.code == code)
    }

    fn purposes(f: &mut FilingForm) -> &mut PurposesAndMethods {
        f.purposes.as_mut().expect("example has purposes")
    }

    fn storage(f: &mut FilingForm) -> &mut StorageAndSecurity {
        f.storage.as_mut().expect("example has storage")
    }

    fn basic(f: &mut FilingForm) -> &mut BasicInfo {
        f.basic.as_mut().expect("example has basic")
    }

    #[test]
    fn complete_initial_form_passes() {
        let form = example_complete(FilingKind::Initial, trigger());
        let ok = check_for_submit(
            &form,
            FilingKind::Initial,
            &example_attachments(FilingKind::Initial),
            today(),
        )
        .expect("complete form passes");
        assert_eq!(ok.kind(), FilingKind::Initial);
        assert_eq!(ok.trigger_date(), trigger());
        assert_eq!(ok.people_stored(), Some(120_000));
        assert!(ok.processor_name().starts_with("示例"));
        assert_eq!(ok.into_form(), form);
    }

    #[test]
    fn trigger_date_is_today_is_fine() {
        let form = example_complete(FilingKind::Initial, today());
        let ok = check_for_submit(
            &form,
            FilingKind::Initial,
            &example_attachments(FilingKind::Initial),
            today(),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn empty_form_lists_every_problem_at_once() {
        let problems = check_for_submit(&FilingForm::default(), FilingKind::Initial, &[], today())
            .expect_err("empty form fails");
        for (path, code) in [
            ("basic.processor_name", code::REQUIRED),
            ("basic.legal_representative_name", code::REQUIRED),
            ("basic.contact_email", code::REQUIRED),
            ("basic.covered_by_head_office", code::REQUIRED),
            ("purposes.purpose", code::REQUIRED),
            ("purposes.verification_1_1", code::NO_METHOD_SELECTED),
            ("purposes.scenarios", code::EMPTY_LIST),
            ("purposes.device_locations", code::EMPTY_LIST),
            ("purposes.stored_on_device_only", code::REQUIRED),
            ("purposes.processes_minors_under_14", code::REQUIRED),
            ("storage.people_stored", code::REQUIRED),
            ("storage.reached_threshold_on", code::REQUIRED),
            ("storage.retention_period_days", code::REQUIRED),
            ("storage.security.encryption", code::REQUIRED),
            ("storage.security.intrusion_detection", code::REQUIRED),
            ("rules.processing_rules", code::REQUIRED),
            ("rules.notice_to_individuals", code::REQUIRED),
            ("pipia.completed_on", code::REQUIRED),
            ("pipia.conclusion", code::REQUIRED),
            ("attachments.uscc_certificate", code::REQUIRED),
            ("attachments.commitment_letter", code::REQUIRED),
            ("attachments.pipia_report", code::REQUIRED),
        ] {
            assert!(
                has(&problems, path, code),
                "missing {path} {code}: {problems:#?}"
            );
        }
        assert!(problems.len() > 40, "{}", problems.len());
        // Conditional questions are not asked when their condition is unanswered.
        assert!(!has(&problems, "purposes.guardian_consent", code::REQUIRED));
        assert!(!has(&problems, "basic.head_office_uscc", code::REQUIRED));
        // Initial filings ignore the kind-specific sections.
        assert!(!problems.iter().any(|p| p.path.starts_with("change")));
        assert!(!problems
            .iter()
            .any(|p| p.path.starts_with("deregistration")));
        assert!(problems
            .iter()
            .all(|p| p.message.ends_with('.') && !p.message.is_empty()));
    }

    #[test]
    fn below_threshold_on_initial() {
        let p = problems_after(FilingKind::Initial, |f| {
            storage(f).people_stored = Some(FILING_THRESHOLD - 1)
        });
        assert_only(&p, "storage.people_stored", code::BELOW_THRESHOLD);
        let p = problems_after(FilingKind::Initial, |f| {
            storage(f).people_stored = Some(FILING_THRESHOLD)
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn change_may_report_fewer_people() {
        let p = problems_after(FilingKind::Change, |f| storage(f).people_stored = Some(5));
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn threshold_date_required_and_not_in_future_for_initial() {
        let p = problems_after(FilingKind::Initial, |f| {
            storage(f).reached_threshold_on = None
        });
        assert_only(&p, "storage.reached_threshold_on", code::REQUIRED);
        let p = problems_after(FilingKind::Initial, |f| {
            storage(f).reached_threshold_on = today().succ_opt()
        });
        assert_only(&p, "storage.reached_threshold_on", code::DATE_IN_FUTURE);
        // Not the trigger of a change filing, so it may be left out there.
        let p = problems_after(FilingKind::Change, |f| {
            storage(f).reached_threshold_on = None
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn pipia_not_after_today() {
        let p = problems_after(FilingKind::Initial, |f| {
            f.pipia.as_mut().expect("pipia").completed_on = today().succ_opt()
        });
        assert_only(&p, "pipia.completed_on", code::DATE_IN_FUTURE);
    }

    #[test]
    fn transmission_contradicts_device_only_storage() {
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.transmitted_over_internet = Some(true);
            p.separate_consent_for_transmission = Some(true);
        });
        assert_only(&p, "purposes.stored_on_device_only", code::INCONSISTENT);
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.transmitted_over_internet = Some(true);
            p.stored_on_device_only = Some(false);
        });
        assert_only(
            &p,
            "purposes.separate_consent_for_transmission",
            code::REQUIRED,
        );
    }

    #[test]
    fn at_least_one_method() {
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.verification_1_1 = Some(false);
            p.identification_1_n = None;
        });
        assert_only(&p, "purposes.verification_1_1", code::NO_METHOD_SELECTED);
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.verification_1_1 = None;
            p.identification_1_n = Some(true);
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn public_places_need_signage_answered() {
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.in_public_places = Some(true);
            p.for_public_safety = Some(true);
        });
        assert_only(&p, "purposes.signage_in_place", code::REQUIRED);
    }

    #[test]
    fn public_area_device_contradicts_no_public_places() {
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).device_locations[0].location_kind = Some(LocationKind::PublicArea)
        });
        assert_only(&p, "purposes.in_public_places", code::INCONSISTENT);
    }

    #[test]
    fn minors_need_guardian_consent_answered() {
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.processes_minors_under_14 = Some(true);
            p.special_rules_for_minors = Some(true);
        });
        assert_only(&p, "purposes.guardian_consent", code::REQUIRED);
    }

    #[test]
    fn risky_answers_are_not_submit_errors() {
        let p = problems_after(FilingKind::Initial, |f| {
            let p = purposes(f);
            p.processes_minors_under_14 = Some(true);
            p.guardian_consent = Some(false);
            p.special_rules_for_minors = Some(false);
            p.separate_consent_obtained = Some(false);
            p.non_face_alternative_offered = Some(false);
            p.in_public_places = Some(true);
            p.signage_in_place = Some(false);
            p.for_public_safety = Some(false);
            p.device_locations[1].location_kind = Some(LocationKind::PrivateSpace);
            p.stored_on_device_only = Some(false);
            p.transmitted_over_internet = Some(true);
            p.separate_consent_for_transmission = Some(false);
            let s = storage(f).security.as_mut().expect("security");
            s.encryption = Some(false);
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn device_location_fields_have_indexed_paths() {
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).device_locations[1].location_kind = None
        });
        assert_only(
            &p,
            "purposes.device_locations[1].location_kind",
            code::REQUIRED,
        );
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).device_locations[0].device_count = Some(0)
        });
        assert_only(
            &p,
            "purposes.device_locations[0].device_count",
            code::OUT_OF_RANGE,
        );
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).device_locations.clear()
        });
        assert_only(&p, "purposes.device_locations", code::EMPTY_LIST);
    }

    #[test]
    fn other_scenario_needs_description() {
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).scenarios.push(Scenario::Other)
        });
        assert_only(&p, "purposes.other_scenario_description", code::REQUIRED);
    }

    #[test]
    fn alternative_needs_description_when_offered() {
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).alternative_description = Some("  ".into())
        });
        assert_only(&p, "purposes.alternative_description", code::REQUIRED);
    }

    #[test]
    fn contact_email_and_phone() {
        for bad in [
            "privacy",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@example..com",
            "a@@example.com",
        ] {
            let p = problems_after(FilingKind::Initial, |f| {
                basic(f).contact_email = Some(bad.into())
            });
            assert_only(&p, "basic.contact_email", code::INVALID_EMAIL);
        }
        for bad in [
            "call me",
            "123456",
            "1234567890123456789012",
            "--------",
            "+86 (555) 0",
        ] {
            let p = problems_after(FilingKind::Initial, |f| {
                basic(f).contact_phone = Some(bad.into())
            });
            assert_only(&p, "basic.contact_phone", code::INVALID_PHONE);
        }
        for good in [
            "13800138000",
            "010-12345678",
            "+86 138 0013 8000",
            "1234567",
            // As registration takes it: the form and every other check use one rule.
            "(021) 5555 0100",
            "+86 (21) 5555 0100",
        ] {
            let p = problems_after(FilingKind::Initial, |f| {
                basic(f).contact_phone = Some(good.into())
            });
            assert!(p.is_empty(), "{good}: {p:#?}");
        }
    }

    #[test]
    fn text_limits_count_characters() {
        let p = problems_after(FilingKind::Initial, |f| {
            basic(f).processor_name = Some("公".repeat(NAME_MAX + 1))
        });
        assert_only(&p, "basic.processor_name", code::TOO_LONG);
        let p = problems_after(FilingKind::Initial, |f| {
            basic(f).processor_name = Some("公".repeat(NAME_MAX))
        });
        assert!(p.is_empty(), "{p:#?}");
        let p = problems_after(FilingKind::Initial, |f| {
            purposes(f).purpose = Some("x".repeat(TEXT_MAX + 1))
        });
        assert_only(&p, "purposes.purpose", code::TOO_LONG);
    }

    #[test]
    fn blank_is_missing() {
        let p = problems_after(FilingKind::Initial, |f| {
            basic(f).processor_name = Some(" \t ".into())
        });
        assert_only(&p, "basic.processor_name", code::REQUIRED);
    }

    #[test]
    fn processor_name_is_trimmed() {
        let mut form = example_complete(FilingKind::Initial, trigger());
        basic(&mut form).processor_name = Some("  某公司 ".into());
        let ok = check_for_submit(
            &form,
            FilingKind::Initial,
            &example_attachments(FilingKind::Initial),
            today(),
        )
        .expect("passes");
        assert_eq!(ok.processor_name(), "某公司");
    }

    #[test]
    fn branch_needs_head_office_uscc() {
        let p = problems_after(FilingKind::Initial, |f| {
            basic(f).covered_by_head_office = Some(true)
        });
        assert_only(&p, "basic.head_office_uscc", code::REQUIRED);
        let p = problems_after(FilingKind::Initial, |f| {
            let b = basic(f);
            b.covered_by_head_office = Some(true);
            b.head_office_uscc = Some("91310000MA1FL0000I".into());
        });
        assert_only(&p, "basic.head_office_uscc", code::INVALID_USCC);
        let p = problems_after(FilingKind::Initial, |f| {
            let b = basic(f);
            b.covered_by_head_office = Some(true);
            b.head_office_uscc = Some("91350100M000100Y43".into());
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn retention_of_zero_days_is_out_of_range() {
        let p = problems_after(FilingKind::Initial, |f| {
            storage(f).retention_period_days = Some(0)
        });
        assert_only(&p, "storage.retention_period_days", code::OUT_OF_RANGE);
    }

    #[test]
    fn missing_security_section_lists_each_measure() {
        let p = problems_after(FilingKind::Initial, |f| storage(f).security = None);
        assert_eq!(p.len(), 5, "{p:#?}");
        assert!(p
            .iter()
            .all(|p| p.path.starts_with("storage.security.") && p.code == code::REQUIRED));
    }

    #[test]
    fn missing_attachment() {
        let form = example_complete(FilingKind::Initial, trigger());
        let attachments: Vec<_> = example_attachments(FilingKind::Initial)
            .into_iter()
            .filter(|a| *a != AttachmentKind::CommitmentLetter)
            .collect();
        let p = check_for_submit(&form, FilingKind::Initial, &attachments, today())
            .expect_err("missing letter");
        assert_only(&p, "attachments.commitment_letter", code::REQUIRED);
    }

    #[test]
    fn required_attachments_per_kind() {
        use AttachmentKind as A;
        let initial = required_attachments(FilingKind::Initial);
        assert_eq!(initial.len(), 6);
        assert!(!initial.contains(&A::Other));
        assert_eq!(
            required_attachments(FilingKind::Change),
            &[
                A::FilerId,
                A::AuthorisationLetter,
                A::CommitmentLetter,
                A::PipiaReport
            ]
        );
        assert_eq!(
            required_attachments(FilingKind::Deregistration),
            &[A::FilerId, A::AuthorisationLetter, A::CommitmentLetter]
        );
    }

    #[test]
    fn change_filing_specifics() {
        let form = example_complete(FilingKind::Change, trigger());
        let ok = check_for_submit(
            &form,
            FilingKind::Change,
            &example_attachments(FilingKind::Change),
            today(),
        )
        .expect("complete change passes");
        assert_eq!(ok.trigger_date(), trigger());

        let p = problems_after(FilingKind::Change, |f| f.change = None);
        assert!(has(&p, "change.changed_on", code::REQUIRED), "{p:#?}");
        assert!(has(&p, "change.what_changed", code::EMPTY_LIST), "{p:#?}");
        assert!(has(&p, "change.description", code::REQUIRED), "{p:#?}");

        let change = |f: &mut FilingForm| f.change.as_mut().expect("change").clone();
        let p = problems_after(FilingKind::Change, |f| {
            let mut ch = change(f);
            ch.what_changed = vec!["purposes".into(), "nonsense".into(), "purposes".into()];
            f.change = Some(ch);
        });
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(has(&p, "change.what_changed[1]", code::UNKNOWN_SECTION));
        assert!(has(&p, "change.what_changed[2]", code::DUPLICATE));

        let p = problems_after(FilingKind::Change, |f| {
            f.change.as_mut().expect("change").changed_on = today().succ_opt()
        });
        assert_only(&p, "change.changed_on", code::DATE_IN_FUTURE);

        // A change filing still needs all five materials.
        let p = problems_after(FilingKind::Change, |f| f.pipia = None);
        assert!(has(&p, "pipia.completed_on", code::REQUIRED), "{p:#?}");
    }

    #[test]
    fn deregistration_specifics() {
        let kind = FilingKind::Deregistration;
        let p = problems_after(kind, |f| {
            f.purposes = None;
            f.storage = None;
            f.rules = None;
            f.pipia = None;
        });
        assert!(p.is_empty(), "basic + deregistration suffice: {p:#?}");

        let p = problems_after(kind, |f| f.deregistration = None);
        for path in [
            "deregistration.ended_on",
            "deregistration.disposal_method",
            "deregistration.disposal_description",
            "deregistration.disposed_on",
        ] {
            assert!(has(&p, path, code::REQUIRED), "{path}: {p:#?}");
        }

        let p = problems_after(kind, |f| {
            let d = f.deregistration.as_mut().expect("deregistration");
            d.disposed_on = trigger().pred_opt();
        });
        assert_only(&p, "deregistration.disposed_on", code::DATE_ORDER);

        let p = problems_after(kind, |f| {
            f.deregistration
                .as_mut()
                .expect("deregistration")
                .disposal_method = None
        });
        assert_only(&p, "deregistration.disposal_method", code::REQUIRED);

        let p = problems_after(kind, |f| basic(f).processor_name = None);
        assert_only(&p, "basic.processor_name", code::REQUIRED);

        // Optional sections that are present are checked for what they say, not what they miss.
        let p = problems_after(kind, |f| {
            f.purposes = Some(PurposesAndMethods {
                stored_on_device_only: Some(true),
                transmitted_over_internet: Some(true),
                ..Default::default()
            });
            f.storage = Some(StorageAndSecurity {
                people_stored: Some(3),
                ..Default::default()
            });
            f.pipia = Some(PipiaReport {
                completed_on: today().succ_opt(),
                ..Default::default()
            });
        });
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(has(
            &p,
            "purposes.stored_on_device_only",
            code::INCONSISTENT
        ));
        assert!(has(&p, "pipia.completed_on", code::DATE_IN_FUTURE));
    }

    #[test]
    fn initial_ignores_kind_specific_sections() {
        let p = problems_after(FilingKind::Initial, |f| {
            f.change = Some(ChangeDetails::default());
            f.deregistration = Some(DeregistrationDetails {
                ended_on: today().succ_opt(),
                ..Default::default()
            });
        });
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn each_trigger_reads_the_field_its_path_names() {
        for t in &TRIGGERS {
            assert_eq!(trigger_of(t.kind).kind, t.kind);
            let form = example_complete(t.kind, trigger());
            let json = serde_json::to_value(&form).expect("json");
            let pointer = format!("/{}", t.path.replace('.', "/"));
            assert_eq!(
                json.pointer(&pointer).and_then(|v| v.as_str()),
                Some(trigger().to_string().as_str()),
                "{}",
                t.path
            );
            assert_eq!(form.trigger_date(t.kind), Some(trigger()));
        }
        assert_eq!(TRIGGERS[0].json_path(), "{storage,reached_threshold_on}");
    }

    #[test]
    fn trigger_date_per_kind() {
        for kind in FilingKind::ALL {
            assert_eq!(
                example_complete(kind, trigger()).trigger_date(kind),
                Some(trigger())
            );
        }
        assert_eq!(FilingForm::default().trigger_date(FilingKind::Change), None);
    }

    #[test]
    fn section_names_are_the_five_materials() {
        assert_eq!(
            section_names(),
            &["basic", "purposes", "storage", "rules", "pipia"]
        );
        let json = serde_json::to_value(example_complete(FilingKind::Initial, trigger()))
            .expect("serialises");
        for name in section_names() {
            assert!(json.get(name).is_some_and(|v| !v.is_null()), "{name}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(serde_json::from_str::<FilingForm>(r#"{"extra": 1}"#).is_err());
        assert!(
            serde_json::from_str::<FilingForm>(r#"{"basic": {"procesor_name": "x"}}"#).is_err()
        );
        assert!(serde_json::from_str::<FilingForm>(
            r#"{"purposes": {"device_locations": [{"kind": "workplace"}]}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<FilingForm>(
            r#"{"storage": {"security": {"firewall": true}}}"#
        )
        .is_err());
        assert!(
            serde_json::from_str::<FilingForm>(r#"{"purposes": {"scenarios": ["gaming"]}}"#)
                .is_err()
        );
    }

    #[test]
    fn draft_with_only_a_name_deserialises() {
        let form: FilingForm =
            serde_json::from_str(r#"{"basic": {"processor_name": "某公司"}}"#).expect("draft");
        assert_eq!(
            form.basic.and_then(|b| b.processor_name).as_deref(),
            Some("某公司")
        );
        assert!(form.purposes.is_none());
        let empty: FilingForm = serde_json::from_str("{}").expect("empty draft");
        assert_eq!(empty, FilingForm::default());
    }

    #[test]
    fn json_round_trip_and_wire_names() {
        for kind in FilingKind::ALL {
            let form = example_complete(kind, trigger());
            let json = serde_json::to_string(&form).expect("serialises");
            let back: FilingForm = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(back, form);
        }
        let json = serde_json::to_value(example_complete(FilingKind::Initial, trigger()))
            .expect("serialises");
        assert_eq!(json["storage"]["reached_threshold_on"], "2025-06-10");
        assert_eq!(json["purposes"]["verification_1_1"], true);
        assert_eq!(
            json["purposes"]["device_locations"][0]["location_kind"],
            "workplace"
        );
        assert_eq!(json["purposes"]["scenarios"][0], "access_control");
    }

    #[test]
    fn enum_names_round_trip() {
        for a in AttachmentKind::ALL {
            assert_eq!(a.as_str().parse::<AttachmentKind>(), Ok(a));
            assert_eq!(
                serde_json::to_value(a).expect("serialises"),
                serde_json::Value::String(a.as_str().to_owned())
            );
        }
        for s in Scenario::ALL {
            assert_eq!(s.as_str().parse::<Scenario>(), Ok(s));
            assert_eq!(serde_json::to_value(s).expect("ok"), s.as_str());
        }
        for l in LocationKind::ALL {
            assert_eq!(l.as_str().parse::<LocationKind>(), Ok(l));
            assert_eq!(serde_json::to_value(l).expect("ok"), l.as_str());
        }
        for d in DisposalMethod::ALL {
            assert_eq!(d.as_str().parse::<DisposalMethod>(), Ok(d));
            assert_eq!(serde_json::to_value(d).expect("ok"), d.as_str());
        }
        assert!("passport".parse::<AttachmentKind>().is_err());
    }

    #[test]
    fn openapi_schema_builds() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(FilingForm::schema()).expect("schema serialises");
        assert!(schema.to_string().contains("basic"), "{schema}");
        let schema = serde_json::to_value(StorageAndSecurity::schema()).expect("schema serialises");
        assert_eq!(
            schema["properties"]["reached_threshold_on"]["format"], "date",
            "{schema}"
        );
        let _ = FieldProblem::schema();
    }

    // --- property tests ---------------------------------------------------------------------

    fn any_date() -> BoxedStrategy<Option<NaiveDate>> {
        prop_oneof![
            Just(None),
            Just(Some(NaiveDate::MIN)),
            Just(Some(NaiveDate::MAX)),
            (-800_000i32..1_500_000).prop_map(NaiveDate::from_num_days_from_ce_opt),
        ]
        .boxed()
    }

    fn any_text() -> BoxedStrategy<Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some(String::new())),
            Just(Some(" \n".to_owned())),
            Just(Some("x".repeat(TEXT_MAX + 1))),
            prop::collection::vec(any::<char>(), 0..24).prop_map(|c| Some(c.into_iter().collect())),
            Just(Some("a@b.cn".to_owned())),
            Just(Some("+86 138-0013-8000".to_owned())),
        ]
        .boxed()
    }

    fn any_bool() -> BoxedStrategy<Option<bool>> {
        prop::option::of(any::<bool>()).boxed()
    }

    fn any_basic() -> BoxedStrategy<BasicInfo> {
        (
            (any_text(), any_text(), any_text(), any_text(), any_text()),
            (any_text(), any_text(), any_text(), any_bool(), any_text()),
        )
            .prop_map(|((a, b, c, d, e), (f, g, h, i, j))| BasicInfo {
                processor_name: a,
                legal_representative_name: b,
                address: c,
                contact_person: d,
                contact_phone: e,
                contact_email: f,
                business_scope: g,
                industry: h,
                covered_by_head_office: i,
                head_office_uscc: j,
            })
            .boxed()
    }

    fn any_location() -> BoxedStrategy<DeviceLocation> {
        (
            any_text(),
            prop::option::of(prop::sample::select(LocationKind::ALL.to_vec())),
            prop::option::of(any::<u32>()),
        )
            .prop_map(
                |(description, location_kind, device_count)| DeviceLocation {
                    description,
                    location_kind,
                    device_count,
                },
            )
            .boxed()
    }

    fn any_purposes() -> BoxedStrategy<PurposesAndMethods> {
        (
            (any_text(), any_text(), any_bool(), any_bool(), any_text()),
            (
                prop::collection::vec(prop::sample::select(Scenario::ALL.to_vec()), 0..4),
                prop::collection::vec(any_location(), 0..4),
            ),
            (
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
            ),
            (
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
                any_bool(),
            ),
            any_text(),
        )
            .prop_map(
                |(
                    (a, b, c, d, e),
                    (scenarios, device_locations),
                    (f, g, h, i, j, k),
                    (l, m, n, o, p, q),
                    r,
                )| {
                    PurposesAndMethods {
                        purpose: a,
                        necessity: b,
                        verification_1_1: c,
                        identification_1_n: d,
                        scenarios,
                        other_scenario_description: e,
                        in_public_places: f,
                        signage_in_place: g,
                        for_public_safety: h,
                        device_locations,
                        stored_on_device_only: i,
                        transmitted_over_internet: j,
                        separate_consent_for_transmission: k,
                        separate_consent_obtained: l,
                        consent_withdrawable: m,
                        processes_minors_under_14: n,
                        guardian_consent: o,
                        special_rules_for_minors: p,
                        non_face_alternative_offered: q,
                        alternative_description: r,
                    }
                },
            )
            .boxed()
    }

    fn any_storage() -> BoxedStrategy<StorageAndSecurity> {
        let security = (
            any_bool(),
            any_bool(),
            any_bool(),
            any_bool(),
            any_bool(),
            any_text(),
        )
            .prop_map(|(a, b, c, d, e, notes)| SecurityMeasures {
                encryption: a,
                security_audit: b,
                access_control: c,
                authorisation_management: d,
                intrusion_detection: e,
                notes,
            });
        (
            prop_oneof![
                Just(None),
                Just(Some(FILING_THRESHOLD - 1)),
                Just(Some(FILING_THRESHOLD)),
                prop::option::of(any::<u64>()),
            ],
            any_date(),
            prop::option::of(any::<u32>()),
            prop::option::of(security),
        )
            .prop_map(
                |(people_stored, reached_threshold_on, retention_period_days, security)| {
                    StorageAndSecurity {
                        people_stored,
                        reached_threshold_on,
                        retention_period_days,
                        security,
                    }
                },
            )
            .boxed()
    }

    fn any_form() -> BoxedStrategy<FilingForm> {
        let rules = (any_text(), any_text(), any_text()).prop_map(|(a, b, c)| ProcessingRules {
            processing_rules: a,
            operating_procedures: b,
            notice_to_individuals: c,
        });
        let pipia = (any_date(), any_text(), any_text()).prop_map(|(a, b, c)| PipiaReport {
            completed_on: a,
            summary: b,
            conclusion: c,
        });
        let section = prop_oneof![
            Just("basic".to_owned()),
            Just("pipia".to_owned()),
            Just("bogus".to_owned()),
            prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
        ];
        let change = (any_date(), prop::collection::vec(section, 0..6), any_text()).prop_map(
            |(changed_on, what_changed, description)| ChangeDetails {
                changed_on,
                what_changed,
                description,
            },
        );
        let deregistration = (
            any_date(),
            prop::option::of(prop::sample::select(DisposalMethod::ALL.to_vec())),
            any_text(),
            any_date(),
        )
            .prop_map(
                |(ended_on, disposal_method, disposal_description, disposed_on)| {
                    DeregistrationDetails {
                        ended_on,
                        disposal_method,
                        disposal_description,
                        disposed_on,
                    }
                },
            );
        (
            prop::option::of(any_basic()),
            prop::option::of(any_purposes()),
            prop::option::of(any_storage()),
            prop::option::of(rules),
            prop::option::of(pipia),
            prop::option::of(change),
            prop::option::of(deregistration),
        )
            .prop_map(
                |(basic, purposes, storage, rules, pipia, change, deregistration)| FilingForm {
                    basic,
                    purposes,
                    storage,
                    rules,
                    pipia,
                    change,
                    deregistration,
                },
            )
            .boxed()
    }

    /// A valid day; edge days come from `any_date`.
    fn any_day() -> BoxedStrategy<NaiveDate> {
        (-700_000i32..1_500_000)
            .prop_filter_map("valid day", NaiveDate::from_num_days_from_ce_opt)
            .boxed()
    }

    fn any_attachment() -> BoxedStrategy<AttachmentKind> {
        prop::sample::select(AttachmentKind::ALL.to_vec()).boxed()
    }

    fn any_kind() -> BoxedStrategy<FilingKind> {
        prop::sample::select(FilingKind::ALL.to_vec()).boxed()
    }

    proptest! {
        #[test]
        fn check_never_panics_and_err_is_never_empty(
            form in any_form(),
            kind in any_kind(),
            attachments in prop::collection::vec(any_attachment(), 0..8),
            today in any_day(),
        ) {
            match check_for_submit(&form, kind, &attachments, today) {
                Ok(ok) => {
                    prop_assert_eq!(Some(ok.trigger_date()), form.trigger_date(kind));
                    prop_assert!(ok.trigger_date() <= today);
                    prop_assert!(!ok.processor_name().is_empty());
                }
                Err(problems) => {
                    prop_assert!(!problems.is_empty());
                    for p in &problems {
                        prop_assert!(!p.path.is_empty() && !p.code.is_empty());
                        prop_assert!(!p.message.is_empty());
                    }
                }
            }
        }

        #[test]
        fn example_passes_for_any_trigger_up_to_today(
            kind in any_kind(),
            today in any_day(),
            back in 0u64..40_000,
        ) {
            let trigger = today.checked_sub_days(Days::new(back)).unwrap_or(today);
            let form = example_complete(kind, trigger);
            let ok = check_for_submit(&form, kind, &example_attachments(kind), today);
            prop_assert!(ok.is_ok(), "{:?}", ok);
            prop_assert_eq!(ok.map(|o| o.trigger_date()).ok(), Some(trigger));
        }
    }

    proptest! {
        /// The date and count rules, restated as an oracle over an otherwise complete form.
        #[test]
        fn dates_and_counts_decide_as_stated(
            kind in any_kind(),
            people in prop_oneof![
                Just(None),
                Just(Some(FILING_THRESHOLD - 1)),
                Just(Some(FILING_THRESHOLD)),
                prop::option::of(any::<u64>()),
            ],
            reached in any_date(),
            pipia_on in any_date(),
            changed in any_date(),
            ended in any_date(),
            disposed in any_date(),
        ) {
            let today = today();
            let mut form = example_complete(kind, trigger());
            storage(&mut form).people_stored = people;
            storage(&mut form).reached_threshold_on = reached;
            form.pipia.as_mut().expect("pipia").completed_on = pipia_on;
            if let Some(ch) = form.change.as_mut() {
                ch.changed_on = changed;
            }
            if let Some(d) = form.deregistration.as_mut() {
                d.ended_on = ended;
                d.disposed_on = disposed;
            }
            let past = |d: Option<NaiveDate>| d.is_some_and(|d| d <= today);
            let past_or_none = |d: Option<NaiveDate>| d.is_none_or(|d| d <= today);
            let expected = match kind {
                FilingKind::Initial => {
                    people.is_some_and(|n| n >= FILING_THRESHOLD) && past(reached) && past(pipia_on)
                }
                FilingKind::Change => {
                    people.is_some() && past_or_none(reached) && past(pipia_on) && past(changed)
                }
                FilingKind::Deregistration => {
                    past_or_none(reached)
                        && past_or_none(pipia_on)
                        && past(ended)
                        && past(disposed)
                        && disposed >= ended
                }
            };
            let result = check_for_submit(&form, kind, &example_attachments(kind), today);
            prop_assert_eq!(result.is_ok(), expected, "{:?}", result);
        }
    }

    #[test]
    fn example_at_calendar_edges_passes() {
        for kind in FilingKind::ALL {
            for trigger in [NaiveDate::MIN, NaiveDate::MAX] {
                let form = example_complete(kind, trigger);
                let ok = check_for_submit(&form, kind, &example_attachments(kind), NaiveDate::MAX);
                assert!(ok.is_ok(), "{kind} {trigger}: {ok:?}");
            }
        }
    }
}
