//! Risk flags (风险提示) for the reviewer: what in a filing form points at a breach of Arts. 6–15,
//! each flag tied to its article, a severity and the field it comes from.
//!
//! The rules are a table ([`RULES`]) of plain functions so a regulator can read and extend
//! them: a row names the code, the article and the severity once, and its check only decides
//! whether and where the rule fires. Flags help a reviewer; they never block a submission, which
//! is [`crate::form::check_for_submit`]'s job.
//!
//! Unanswered questions: a missing answer to a *trigger* (are minors processed, are faces sent
//! over the internet, are devices in public places) is no finding, since nothing says the
//! safeguard is needed. A missing answer to a *required safeguard* (consent, signs, an Art. 14
//! measure) counts as "not confirmed" and is flagged like a "no", except on a deregistration
//! (注销备案), whose form may leave those sections out. Dates that are missing make the date
//! rules stay silent.

use std::cmp::Reverse;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::filing::FilingKind;
use crate::form::{FilingForm, LocationKind, PurposesAndMethods, SecurityMeasures};

/// How urgently a reviewer should look at a flag.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 提示: worth knowing; does not raise the filing's risk level.
    Info,
    /// 低.
    Low,
    /// 中.
    Medium,
    /// 高.
    High,
    /// 严重: a prohibition of the Order is breached.
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Info => "提示",
            Self::Low => "低",
            Self::Medium => "中",
            Self::High => "高",
            Self::Critical => "严重",
        }
    }
}

/// A filing's overall risk level (风险等级): the highest severity among its flags, `none` when
/// there are none or only [`Severity::Info`] ones.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 5] = [
        Self::None,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// The level's place from none (0) to critical (4): the queue's sort key.
    pub fn rank(self) -> i16 {
        match self {
            Self::None => 0,
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Critical => 4,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::None => "无",
            Self::Low => "低",
            Self::Medium => "中",
            Self::High => "高",
            Self::Critical => "严重",
        }
    }
}

impl From<Severity> for RiskLevel {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => Self::None,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        }
    }
}

named_enum!(Severity, "severity");
named_enum!(RiskLevel, "risk level");

/// One thing a reviewer must look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RiskFlag {
    /// Stable snake_case code from [`code`], e.g. `minors_without_guardian_consent`.
    pub code: String,
    /// Where the duty comes from, e.g. `Art. 7` (of Order No. 19) or `GB 32100-2015`.
    pub article: String,
    pub severity: Severity,
    /// Dotted path of the form field, e.g. `purposes.guardian_consent`, as in
    /// [`crate::form::FieldProblem::path`].
    pub path: String,
    /// One English sentence, with the Chinese term.
    pub message: String,
}

/// A filing's flags, most severe first (then by code), and its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    pub flags: Vec<RiskFlag>,
    pub level: RiskLevel,
}

/// Facts about a filing that are not in its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub kind: FilingKind,
    /// Working days (工作日) past the 30-working-day deadline of Art. 15; `None` or ≤ 0 when
    /// on time or not yet known.
    pub late_by_working_days: Option<i64>,
    /// Whether the processor's USCC passes its check character ([`crate::ids::Uscc::checksum_ok`]).
    pub uscc_checksum_ok: bool,
    /// The day face processing began, when known from the record or an inspection.
    pub processing_started_on: Option<NaiveDate>,
}

impl Context {
    /// A context with no outside concerns: on time, checksum fine, start of processing unknown.
    pub fn new(kind: FilingKind) -> Self {
        Self {
            kind,
            late_by_working_days: None,
            uscc_checksum_ok: true,
            processing_started_on: None,
        }
    }
}

/// Where and why one rule fires; its [`Rule`] adds the code, article and severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub message: String,
}

impl Finding {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The check of a rule: every place the rule fires, usually none or one.
pub type Check = fn(&FilingForm, &Context) -> Vec<Finding>;

/// One row of the rule table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub article: &'static str,
    pub severity: Severity,
    pub check: Check,
}

impl Rule {
    /// The flags this rule raises on `form`.
    pub fn apply(&self, form: &FilingForm, ctx: &Context) -> Vec<RiskFlag> {
        (self.check)(form, ctx)
            .into_iter()
            .map(|f| RiskFlag {
                code: self.code.to_owned(),
                article: self.article.to_owned(),
                severity: self.severity,
                path: f.path,
                message: f.message,
            })
            .collect()
    }
}

pub mod code {
    //! Stable codes of [`super::RiskFlag`]: stored with reviews and matched by clients, so never
    //! rename one.

    pub const NO_SEPARATE_CONSENT: &str = "no_separate_consent";
    pub const CONSENT_NOT_WITHDRAWABLE: &str = "consent_not_withdrawable";
    pub const MINORS_WITHOUT_GUARDIAN_CONSENT: &str = "minors_without_guardian_consent";
    pub const MINORS_WITHOUT_SPECIAL_RULES: &str = "minors_without_special_rules";
    pub const TRANSMISSION_WITHOUT_SEPARATE_CONSENT: &str = "transmission_without_separate_consent";
    pub const PIPIA_AFTER_PROCESSING_BEGAN: &str = "pipia_after_processing_began";
    pub const PIPIA_AFTER_CHANGE: &str = "pipia_after_change";
    pub const PIPIA_NOT_REDONE_FOR_CHANGE: &str = "pipia_not_redone_for_change";
    pub const NO_NON_FACE_ALTERNATIVE: &str = "no_non_face_alternative";
    pub const DEVICE_IN_PRIVATE_SPACE: &str = "device_in_private_space";
    pub const PUBLIC_PLACE_WITHOUT_SIGNAGE: &str = "public_place_without_signage";
    pub const PUBLIC_PLACE_NOT_FOR_PUBLIC_SAFETY: &str = "public_place_not_for_public_safety";
    pub const NO_ENCRYPTION: &str = "no_encryption";
    pub const NO_SECURITY_AUDIT: &str = "no_security_audit";
    pub const NO_ACCESS_CONTROL: &str = "no_access_control";
    pub const NO_AUTHORISATION_MANAGEMENT: &str = "no_authorisation_management";
    pub const NO_INTRUSION_DETECTION: &str = "no_intrusion_detection";
    pub const LATE_FILING: &str = "late_filing";
    pub const USCC_CHECKSUM_MISMATCH: &str = "uscc_checksum_mismatch";
}

/// Every rule, in article order. To add one: a code in [`code`], a check function below with
/// its tests, and a row here.
pub const RULES: &[Rule] = &[
    Rule {
        code: code::NO_SEPARATE_CONSENT,
        article: "Art. 6",
        severity: Severity::High,
        check: no_separate_consent,
    },
    Rule {
        code: code::CONSENT_NOT_WITHDRAWABLE,
        article: "Art. 6",
        severity: Severity::Medium,
        check: consent_not_withdrawable,
    },
    Rule {
        code: code::MINORS_WITHOUT_GUARDIAN_CONSENT,
        article: "Art. 7",
        severity: Severity::High,
        check: minors_without_guardian_consent,
    },
    Rule {
        code: code::MINORS_WITHOUT_SPECIAL_RULES,
        article: "Art. 7",
        severity: Severity::Medium,
        check: minors_without_special_rules,
    },
    Rule {
        code: code::TRANSMISSION_WITHOUT_SEPARATE_CONSENT,
        article: "Art. 8",
        severity: Severity::High,
        check: transmission_without_separate_consent,
    },
    Rule {
        code: code::PIPIA_AFTER_PROCESSING_BEGAN,
        article: "Art. 9",
        severity: Severity::Medium,
        check: pipia_after_processing_began,
    },
    Rule {
        code: code::PIPIA_AFTER_CHANGE,
        article: "Art. 9",
        severity: Severity::Medium,
        check: pipia_after_change,
    },
    Rule {
        code: code::PIPIA_NOT_REDONE_FOR_CHANGE,
        article: "Art. 9",
        severity: Severity::Medium,
        check: pipia_not_redone_for_change,
    },
    Rule {
        code: code::NO_NON_FACE_ALTERNATIVE,
        article: "Art. 10",
        severity: Severity::Medium,
        check: no_non_face_alternative,
    },
    Rule {
        code: code::DEVICE_IN_PRIVATE_SPACE,
        article: "Art. 13",
        severity: Severity::Critical,
        check: device_in_private_space,
    },
    Rule {
        code: code::PUBLIC_PLACE_WITHOUT_SIGNAGE,
        article: "Art. 13",
        severity: Severity::High,
        check: public_place_without_signage,
    },
    Rule {
        code: code::PUBLIC_PLACE_NOT_FOR_PUBLIC_SAFETY,
        article: "Art. 13",
        severity: Severity::Medium,
        check: public_place_not_for_public_safety,
    },
    Rule {
        code: code::NO_ENCRYPTION,
        article: "Art. 14",
        severity: Severity::High,
        check: no_encryption,
    },
    Rule {
        code: code::NO_SECURITY_AUDIT,
        article: "Art. 14",
        severity: Severity::Medium,
        check: no_security_audit,
    },
    Rule {
        code: code::NO_ACCESS_CONTROL,
        article: "Art. 14",
        severity: Severity::Medium,
        check: no_access_control,
    },
    Rule {
        code: code::NO_AUTHORISATION_MANAGEMENT,
        article: "Art. 14",
        severity: Severity::Medium,
        check: no_authorisation_management,
    },
    Rule {
        code: code::NO_INTRUSION_DETECTION,
        article: "Art. 14",
        severity: Severity::Medium,
        check: no_intrusion_detection,
    },
    Rule {
        code: code::LATE_FILING,
        article: "Art. 15",
        severity: Severity::Medium,
        check: late_filing,
    },
    Rule {
        code: code::USCC_CHECKSUM_MISMATCH,
        article: "GB 32100-2015",
        severity: Severity::Low,
        check: uscc_checksum_mismatch,
    },
];

/// The rule with `code`, if any.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Runs every rule on `form` and sorts the flags, most severe first, then by code; flags of one
/// rule keep their order (device locations by index).
pub fn assess(form: &FilingForm, ctx: &Context) -> Assessment {
    let mut flags: Vec<RiskFlag> = RULES.iter().flat_map(|r| r.apply(form, ctx)).collect();
    // Stable, so the within-rule order survives.
    flags.sort_by(|a, b| (Reverse(a.severity), &a.code).cmp(&(Reverse(b.severity), &b.code)));
    let level = level_of(&flags);
    Assessment { flags, level }
}

/// The highest severity among `flags` as a level; info flags do not count.
pub fn level_of(flags: &[RiskFlag]) -> RiskLevel {
    flags
        .iter()
        .map(|f| RiskLevel::from(f.severity))
        .max()
        .unwrap_or(RiskLevel::None)
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Why a required safeguard is not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    AnsweredNo,
    Unanswered,
}

impl Gap {
    fn phrase(self) -> &'static str {
        match self {
            Self::AnsweredNo => "the form answers no",
            Self::Unanswered => "the form does not say",
        }
    }
}

/// How a required safeguard falls short, or `None` when it is confirmed or need not be.
fn gap(answer: Option<bool>, ctx: &Context) -> Option<Gap> {
    match answer {
        Some(true) => None,
        Some(false) => Some(Gap::AnsweredNo),
        // A deregistration may leave out the sections holding the safeguards.
        None if ctx.kind == FilingKind::Deregistration => None,
        None => Some(Gap::Unanswered),
    }
}

/// A purposes-section answer; a missing section is a missing answer.
fn purposes_answer(
    form: &FilingForm,
    get: fn(&PurposesAndMethods) -> Option<bool>,
) -> Option<bool> {
    form.purposes.as_ref().and_then(get)
}

/// Whether a purposes-section trigger question is answered yes.
fn says_yes(form: &FilingForm, get: fn(&PurposesAndMethods) -> Option<bool>) -> bool {
    purposes_answer(form, get) == Some(true)
}

/// One finding when `answer` is a gap in a safeguard, at `purposes.<field>`.
fn safeguard_finding(answer: Option<bool>, ctx: &Context, path: &str, what: &str) -> Vec<Finding> {
    gap(answer, ctx)
        .map(|g| Finding::new(path, format!("{what}: {}.", g.phrase())))
        .into_iter()
        .collect()
}

/// Whether the change filing changes purposes and methods, Art. 9's reason to redo the PIPIA.
fn changes_purposes(form: &FilingForm, ctx: &Context) -> bool {
    ctx.kind == FilingKind::Change
        && form
            .change
            .as_ref()
            .is_some_and(|c| c.what_changed.iter().any(|s| s.trim() == "purposes"))
}

fn pipia_completed_on(form: &FilingForm) -> Option<NaiveDate> {
    form.pipia.as_ref().and_then(|p| p.completed_on)
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/// Art. 6: processing based on consent needs separate consent (单独同意). High. A required
/// safeguard, so unanswered counts; the reviewer judges whether another legal basis applies.
pub fn no_separate_consent(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    safeguard_finding(
        purposes_answer(form, |p| p.separate_consent_obtained),
        ctx,
        "purposes.separate_consent_obtained",
        "Separate consent (单独同意) of each individual is not confirmed",
    )
}

/// Art. 6: individuals must be able to withdraw consent conveniently (撤回同意). Medium. A
/// required safeguard, so unanswered counts.
pub fn consent_not_withdrawable(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    safeguard_finding(
        purposes_answer(form, |p| p.consent_withdrawable),
        ctx,
        "purposes.consent_withdrawable",
        "A convenient way to withdraw consent (撤回同意) is not confirmed",
    )
}

/// Art. 7: faces of children under 14 (不满十四周岁未成年人) need a parent's or guardian's
/// consent (监护人同意). High. Fires only when minors are said to be processed; then an
/// unanswered consent counts.
pub fn minors_without_guardian_consent(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !says_yes(form, |p| p.processes_minors_under_14) {
        return Vec::new();
    }
    safeguard_finding(
        purposes_answer(form, |p| p.guardian_consent),
        ctx,
        "purposes.guardian_consent",
        "Faces of children under 14 (不满十四周岁未成年人) are processed, but a guardian's consent (监护人同意) is not confirmed",
    )
}

/// Art. 7: processing minors' faces needs special processing rules (专门的处理规则) for
/// storage, use, transfer and disclosure. Medium. Fires only when minors are said to be
/// processed; then an unanswered question counts.
pub fn minors_without_special_rules(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !says_yes(form, |p| p.processes_minors_under_14) {
        return Vec::new();
    }
    safeguard_finding(
        purposes_answer(form, |p| p.special_rules_for_minors),
        ctx,
        "purposes.special_rules_for_minors",
        "Faces of children under 14 are processed, but special processing rules for minors (专门的处理规则) are not confirmed",
    )
}

/// Art. 8: face information sent out over the internet (通过互联网对外传输) needs separate
/// consent for that. High. Fires only when transmission is said to happen; then an unanswered
/// consent counts. The reviewer judges whether a law or regulation provides otherwise.
pub fn transmission_without_separate_consent(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !says_yes(form, |p| p.transmitted_over_internet) {
        return Vec::new();
    }
    safeguard_finding(
        purposes_answer(form, |p| p.separate_consent_for_transmission),
        ctx,
        "purposes.separate_consent_for_transmission",
        "Face information is transmitted over the internet (通过互联网对外传输), but separate consent (单独同意) for the transmission is not confirmed",
    )
}

/// Art. 9: the PIPIA (个人信息保护影响评估) must be done beforehand (事前). Medium. Initial
/// filings only, since a change filing carries a redone assessment that naturally post-dates
/// the start. Compares with `ctx.processing_started_on`; when that is unknown, with
/// `storage.reached_threshold_on` as a proxy, because processing had begun by the day the
/// store reached 100,000 people. Silent when a date is missing.
pub fn pipia_after_processing_began(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if ctx.kind != FilingKind::Initial {
        return Vec::new();
    }
    let Some(done) = pipia_completed_on(form) else {
        return Vec::new();
    };
    let reached = form.storage.as_ref().and_then(|s| s.reached_threshold_on);
    let (start, what) = match (ctx.processing_started_on, reached) {
        (Some(start), _) => (start, "processing began"),
        (None, Some(reached)) => (
            reached,
            "the store reached 100,000 people, so after processing began",
        ),
        (None, None) => return Vec::new(),
    };
    if done <= start {
        return Vec::new();
    }
    vec![Finding::new(
        "pipia.completed_on",
        format!(
            "The PIPIA (个人信息保护影响评估) was completed on {done}, after {what} ({start}); Art. 9 requires it beforehand (事前)."
        ),
    )]
}

/// Art. 9: a change of purpose or method must be assessed again, beforehand (事前). Medium.
/// Fires on a change filing whose `change.what_changed` names `purposes` and whose PIPIA was
/// completed after `change.changed_on`, so the changed processing ran unassessed. A PIPIA
/// completed before the change date is the compliant order, not a finding. Silent when a date
/// or the list of changes is missing.
pub fn pipia_after_change(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !changes_purposes(form, ctx) {
        return Vec::new();
    }
    let changed = form.change.as_ref().and_then(|c| c.changed_on);
    match (pipia_completed_on(form), changed) {
        (Some(done), Some(changed)) if done > changed => vec![Finding::new(
            "pipia.completed_on",
            format!(
                "The PIPIA (个人信息保护影响评估) was completed on {done}, after the change of purposes and methods on {changed}; Art. 9 requires a new assessment beforehand."
            ),
        )],
        _ => Vec::new(),
    }
}

/// Art. 9: a change of purpose or method needs a new PIPIA, not the original one. Medium.
/// Fires on a change filing that names `purposes` in `change.what_changed` and whose PIPIA was
/// completed on or before `ctx.processing_started_on`: an assessment from before any
/// processing cannot have assessed a later change. The form does not give the previous
/// filing's PIPIA date, so a stale report completed after processing began goes unseen here.
pub fn pipia_not_redone_for_change(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !changes_purposes(form, ctx) {
        return Vec::new();
    }
    match (pipia_completed_on(form), ctx.processing_started_on) {
        (Some(done), Some(start)) if done <= start => vec![Finding::new(
            "pipia.completed_on",
            format!(
                "The PIPIA (个人信息保护影响评估) dates from {done}, before processing began on {start}, so it cannot assess the change of purposes and methods that Art. 9 requires to be assessed again."
            ),
        )],
        _ => Vec::new(),
    }
}

/// Art. 10: face recognition may not be the only way when another exists; a non-face
/// alternative must be offered to those who refuse. Medium. A required safeguard, so
/// unanswered counts; the reviewer judges whether no alternative can exist.
pub fn no_non_face_alternative(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    safeguard_finding(
        purposes_answer(form, |p| p.non_face_alternative_offered),
        ctx,
        "purposes.non_face_alternative_offered",
        "A non-face alternative for individuals who do not consent is not confirmed",
    )
}

/// Art. 13: no device inside a private space (私密空间) such as a hotel room, public bath,
/// locker room or toilet. Always Critical, whatever else the form says and for every kind of
/// filing; one flag per such device location, by index. A location of unknown kind is no
/// finding.
pub fn device_in_private_space(form: &FilingForm, _ctx: &Context) -> Vec<Finding> {
    let Some(p) = form.purposes.as_ref() else {
        return Vec::new();
    };
    p.device_locations
        .iter()
        .enumerate()
        .filter(|(_, l)| l.location_kind == Some(LocationKind::PrivateSpace))
        .map(|(i, l)| {
            let place = match l.description.as_deref().map(str::trim) {
                Some(d) if !d.is_empty() => {
                    format!(" ({})", d.chars().take(80).collect::<String>())
                }
                _ => String::new(),
            };
            Finding::new(
                format!("purposes.device_locations[{i}].location_kind"),
                format!(
                    "Device location {}{place} is inside a private space (私密空间) such as a hotel room, bath, locker room or toilet, where Art. 13 forbids face-recognition devices.",
                    i + 1
                ),
            )
        })
        .collect()
}

/// Whether any device is in a public place (公共场所): the answer says so or a device location
/// is a public area (even if the answer contradicts it).
fn in_public_places(form: &FilingForm) -> bool {
    form.purposes.as_ref().is_some_and(|p| {
        p.in_public_places == Some(true)
            || p.device_locations
                .iter()
                .any(|l| l.location_kind == Some(LocationKind::PublicArea))
    })
}

/// Art. 13: public-place devices need prominent signs (显著提示标识). High. Fires only when
/// devices are in public places; then unanswered counts.
pub fn public_place_without_signage(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !in_public_places(form) {
        return Vec::new();
    }
    safeguard_finding(
        purposes_answer(form, |p| p.signage_in_place),
        ctx,
        "purposes.signage_in_place",
        "Devices are installed in public places (公共场所), but prominent signs (显著提示标识) are not confirmed",
    )
}

/// Art. 13: public-place devices only where needed for public safety (维护公共安全所必需).
/// Medium. Fires only when devices are in public places; then unanswered counts.
pub fn public_place_not_for_public_safety(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if !in_public_places(form) {
        return Vec::new();
    }
    safeguard_finding(
        purposes_answer(form, |p| p.for_public_safety),
        ctx,
        "purposes.for_public_safety",
        "Devices are installed in public places (公共场所), but that they are needed for public safety (维护公共安全) is not confirmed",
    )
}

/// One Art. 14 measure: a finding when it is answered no or, except on a deregistration, left
/// unanswered (including a missing security section).
fn security_measure(
    form: &FilingForm,
    ctx: &Context,
    field: &str,
    name: &str,
    get: fn(&SecurityMeasures) -> Option<bool>,
) -> Vec<Finding> {
    let answer = form
        .storage
        .as_ref()
        .and_then(|s| s.security.as_ref())
        .and_then(get);
    safeguard_finding(
        answer,
        ctx,
        &format!("storage.security.{field}"),
        &format!("The Art. 14 security measure {name} is not confirmed"),
    )
}

/// Art. 14: data encryption (数据加密). High: without it a leak exposes the faces themselves.
pub fn no_encryption(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    security_measure(
        form,
        ctx,
        "encryption",
        "data encryption (数据加密)",
        |m| m.encryption,
    )
}

/// Art. 14: security audit (安全审计). Medium.
pub fn no_security_audit(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    security_measure(
        form,
        ctx,
        "security_audit",
        "security audit (安全审计)",
        |m| m.security_audit,
    )
}

/// Art. 14: access control (访问控制). Medium.
pub fn no_access_control(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    security_measure(
        form,
        ctx,
        "access_control",
        "access control (访问控制)",
        |m| m.access_control,
    )
}

/// Art. 14: authorisation management (授权管理). Medium.
pub fn no_authorisation_management(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    security_measure(
        form,
        ctx,
        "authorisation_management",
        "authorisation management (授权管理)",
        |m| m.authorisation_management,
    )
}

/// Art. 14: intrusion detection and prevention (入侵检测和防御). Medium.
pub fn no_intrusion_detection(form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    security_measure(
        form,
        ctx,
        "intrusion_detection",
        "intrusion detection and prevention (入侵检测和防御)",
        |m| m.intrusion_detection,
    )
}

/// Art. 15: filed after the 30-working-day deadline. Medium. The path is the field whose date
/// starts the clock for the filing's kind.
pub fn late_filing(_form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    let Some(days) = ctx.late_by_working_days.filter(|&d| d > 0) else {
        return Vec::new();
    };
    let path = match ctx.kind {
        FilingKind::Initial => "storage.reached_threshold_on",
        FilingKind::Change => "change.changed_on",
        FilingKind::Deregistration => "deregistration.ended_on",
    };
    let unit = if days == 1 { "day" } else { "days" };
    vec![Finding::new(
        path,
        format!(
            "The {} ({}) was filed {days} working {unit} (工作日) after the 30-working-day deadline of Art. 15.",
            match ctx.kind {
                FilingKind::Initial => "initial filing",
                FilingKind::Change => "change filing",
                FilingKind::Deregistration => "deregistration",
            },
            ctx.kind.name_zh()
        ),
    )]
}

/// GB 32100-2015: the processor's USCC fails its check character. Low: a few genuine early
/// codes do, so the reviewer compares it with the certificate. The code is on the processor's
/// record, not in the form, hence the path `processor.uscc`.
pub fn uscc_checksum_mismatch(_form: &FilingForm, ctx: &Context) -> Vec<Finding> {
    if ctx.uscc_checksum_ok {
        return Vec::new();
    }
    vec![Finding::new(
        "processor.uscc",
        "The processor's Unified Social Credit Code (统一社会信用代码) fails the GB 32100-2015 check character; compare it with the sealed certificate.",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{example_complete, DeviceLocation, SecurityMeasures};
    use chrono::Days;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn trigger() -> NaiveDate {
        day(2025, 6, 10)
    }

    fn before(days: u64) -> NaiveDate {
        trigger()
            .checked_sub_days(Days::new(days))
            .expect("in range")
    }

    fn example(kind: FilingKind) -> FilingForm {
        example_complete(kind, trigger())
    }

    fn purposes(form: &mut FilingForm) -> &mut PurposesAndMethods {
        form.purposes.as_mut().expect("example has purposes")
    }

    fn security(form: &mut FilingForm) -> &mut SecurityMeasures {
        form.storage
            .as_mut()
            .and_then(|s| s.security.as_mut())
            .expect("example has security measures")
    }

    /// Flags of the rule `code` on `form`.
    fn run(code: &str, form: &FilingForm, ctx: &Context) -> Vec<RiskFlag> {
        rule(code).expect("known rule").apply(form, ctx)
    }

    /// Flags of `code` on the example of `kind` after `edit`, with a clean context.
    fn after(code: &str, kind: FilingKind, edit: impl FnOnce(&mut FilingForm)) -> Vec<RiskFlag> {
        let mut form = example(kind);
        edit(&mut form);
        run(code, &form, &Context::new(kind))
    }

    fn flag(severity: Severity, code: &str) -> RiskFlag {
        RiskFlag {
            code: code.to_owned(),
            article: "Art. 0".to_owned(),
            severity,
            path: "x".to_owned(),
            message: "m.".to_owned(),
        }
    }

    // --- the whole ---------------------------------------------------------------------------

    #[test]
    fn complete_examples_raise_nothing() {
        for kind in FilingKind::ALL {
            let a = assess(&example(kind), &Context::new(kind));
            assert_eq!(a.flags, Vec::new(), "{kind}");
            assert_eq!(a.level, RiskLevel::None);
        }
    }

    #[test]
    fn change_example_is_clean_with_processing_start_known() {
        // Processing began when the store reached the threshold, a year before the change; the
        // PIPIA was redone a week before the change, which is what Art. 9 asks.
        let kind = FilingKind::Change;
        let ctx = Context {
            processing_started_on: Some(before(365)),
            ..Context::new(kind)
        };
        assert_eq!(assess(&example(kind), &ctx).flags, Vec::new());
    }

    #[test]
    fn private_space_is_critical_even_when_all_else_is_perfect() {
        for kind in FilingKind::ALL {
            let mut form = example(kind);
            purposes(&mut form).device_locations[1].location_kind =
                Some(LocationKind::PrivateSpace);
            let a = assess(&form, &Context::new(kind));
            assert_eq!(a.level, RiskLevel::Critical, "{kind}");
            assert_eq!(a.flags.len(), 1, "{kind}: {:?}", a.flags);
            let f = &a.flags[0];
            assert_eq!(f.code, code::DEVICE_IN_PRIVATE_SPACE);
            assert_eq!(f.article, "Art. 13");
            assert_eq!(f.severity, Severity::Critical);
            assert_eq!(f.path, "purposes.device_locations[1].location_kind");
            assert!(f.message.contains("Device location 2"), "{}", f.message);
            assert!(f.message.contains("私密空间"));
        }
    }

    #[test]
    fn flags_sorted_by_severity_then_code_and_level_is_max() {
        let kind = FilingKind::Initial;
        let mut form = example(kind);
        security(&mut form).security_audit = Some(false);
        security(&mut form).encryption = Some(false);
        purposes(&mut form).consent_withdrawable = Some(false);
        let ctx = Context {
            uscc_checksum_ok: false,
            ..Context::new(kind)
        };
        let a = assess(&form, &ctx);
        let got: Vec<(Severity, &str)> = a
            .flags
            .iter()
            .map(|f| (f.severity, f.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Severity::High, code::NO_ENCRYPTION),
                (Severity::Medium, code::CONSENT_NOT_WITHDRAWABLE),
                (Severity::Medium, code::NO_SECURITY_AUDIT),
                (Severity::Low, code::USCC_CHECKSUM_MISMATCH),
            ]
        );
        assert_eq!(a.level, RiskLevel::High);
    }

    #[test]
    fn level_is_the_highest_severity() {
        assert_eq!(level_of(&[]), RiskLevel::None);
        assert_eq!(level_of(&[flag(Severity::Low, "a")]), RiskLevel::Low);
        assert_eq!(
            level_of(&[
                flag(Severity::Medium, "a"),
                flag(Severity::Critical, "b"),
                flag(Severity::Low, "c"),
            ]),
            RiskLevel::Critical
        );
    }

    #[test]
    fn info_does_not_raise_the_level() {
        assert_eq!(level_of(&[flag(Severity::Info, "a")]), RiskLevel::None);
        assert_eq!(
            level_of(&[flag(Severity::Info, "a"), flag(Severity::Low, "b")]),
            RiskLevel::Low
        );
    }

    #[test]
    fn blank_form_flags_only_unconfirmed_safeguards() {
        let form = FilingForm::default();
        let codes = |kind| {
            let mut c: Vec<String> = assess(&form, &Context::new(kind))
                .flags
                .into_iter()
                .map(|f| f.code)
                .collect();
            c.sort();
            c
        };
        let mut expected = vec![
            code::NO_SEPARATE_CONSENT,
            code::CONSENT_NOT_WITHDRAWABLE,
            code::NO_NON_FACE_ALTERNATIVE,
            code::NO_ENCRYPTION,
            code::NO_SECURITY_AUDIT,
            code::NO_ACCESS_CONTROL,
            code::NO_AUTHORISATION_MANAGEMENT,
            code::NO_INTRUSION_DETECTION,
        ];
        expected.sort_unstable();
        assert_eq!(codes(FilingKind::Initial), expected);
        assert_eq!(codes(FilingKind::Change), expected);
        // A deregistration may omit those sections.
        assert!(codes(FilingKind::Deregistration).is_empty());
    }

    #[test]
    fn rule_table_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(
                r.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                r.code
            );
            assert!(!r.article.is_empty());
            assert!(rule(r.code).is_some());
        }
        assert!(rule("nope").is_none());
    }

    #[test]
    fn names_round_trip_and_serialise_snake_case() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).expect("serialise"),
                serde_json::json!(s.as_str())
            );
        }
        for l in RiskLevel::ALL {
            assert_eq!(l.as_str().parse::<RiskLevel>(), Ok(l));
            assert_eq!(
                serde_json::to_value(l).expect("serialise"),
                serde_json::json!(l.as_str())
            );
        }
        assert!("severe".parse::<Severity>().is_err());
        assert!(Severity::Info < Severity::Low && Severity::High < Severity::Critical);
        assert!(RiskLevel::None < RiskLevel::Low);
    }

    #[test]
    fn assessment_round_trips_through_json() {
        let mut form = example(FilingKind::Initial);
        security(&mut form).encryption = None;
        let a = assess(&form, &Context::new(FilingKind::Initial));
        let json = serde_json::to_string(&a).expect("serialise");
        assert!(json.contains("\"level\":\"high\""), "{json}");
        let back: Assessment = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, a);
    }

    // --- Art. 6 ------------------------------------------------------------------------------

    #[test]
    fn no_separate_consent_fires_on_no_and_unanswered() {
        let c = code::NO_SEPARATE_CONSENT;
        let hit = after(c, FilingKind::Initial, |f| {
            purposes(f).separate_consent_obtained = Some(false);
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::High);
        assert_eq!(hit[0].article, "Art. 6");
        assert_eq!(hit[0].path, "purposes.separate_consent_obtained");
        assert!(hit[0].message.ends_with("the form answers no."));
        let unanswered = after(c, FilingKind::Change, |f| {
            purposes(f).separate_consent_obtained = None;
        });
        assert!(unanswered[0].message.ends_with("the form does not say."));
        assert!(after(c, FilingKind::Initial, |_| {}).is_empty());
        assert!(after(c, FilingKind::Deregistration, |f| {
            purposes(f).separate_consent_obtained = None;
        })
        .is_empty());
        assert_eq!(
            after(c, FilingKind::Deregistration, |f| {
                purposes(f).separate_consent_obtained = Some(false);
            })
            .len(),
            1
        );
    }

    #[test]
    fn consent_not_withdrawable_fires_on_no() {
        let c = code::CONSENT_NOT_WITHDRAWABLE;
        let hit = after(c, FilingKind::Initial, |f| {
            purposes(f).consent_withdrawable = Some(false);
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].path, "purposes.consent_withdrawable");
        assert!(after(c, FilingKind::Initial, |_| {}).is_empty());
    }

    // --- Art. 7 ------------------------------------------------------------------------------

    #[test]
    fn minors_without_guardian_consent_fires_only_when_minors_are_processed() {
        let c = code::MINORS_WITHOUT_GUARDIAN_CONSENT;
        let hit = after(c, FilingKind::Initial, |f| {
            purposes(f).processes_minors_under_14 = Some(true);
            purposes(f).guardian_consent = Some(false);
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::High);
        assert_eq!(hit[0].article, "Art. 7");
        assert_eq!(hit[0].path, "purposes.guardian_consent");
        assert!(hit[0].message.contains("监护人同意"));
        // Minors processed and consent unanswered: still a finding.
        assert_eq!(
            after(c, FilingKind::Initial, |f| {
                purposes(f).processes_minors_under_14 = Some(true);
            })
            .len(),
            1
        );
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).processes_minors_under_14 = Some(true);
            purposes(f).guardian_consent = Some(true);
        })
        .is_empty());
        // No minors, or not said: nothing to flag.
        for minors in [Some(false), None] {
            assert!(after(c, FilingKind::Initial, |f| {
                purposes(f).processes_minors_under_14 = minors;
                purposes(f).guardian_consent = Some(false);
            })
            .is_empty());
        }
    }

    #[test]
    fn minors_without_special_rules_fires_only_when_minors_are_processed() {
        let c = code::MINORS_WITHOUT_SPECIAL_RULES;
        let hit = after(c, FilingKind::Initial, |f| {
            purposes(f).processes_minors_under_14 = Some(true);
            purposes(f).guardian_consent = Some(true);
            purposes(f).special_rules_for_minors = Some(false);
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].path, "purposes.special_rules_for_minors");
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).processes_minors_under_14 = Some(true);
            purposes(f).special_rules_for_minors = Some(true);
        })
        .is_empty());
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).special_rules_for_minors = Some(false);
        })
        .is_empty());
    }

    // --- Art. 8 ------------------------------------------------------------------------------

    #[test]
    fn transmission_without_separate_consent_fires_only_when_transmitted() {
        let c = code::TRANSMISSION_WITHOUT_SEPARATE_CONSENT;
        for consent in [Some(false), None] {
            let hit = after(c, FilingKind::Initial, |f| {
                purposes(f).stored_on_device_only = Some(false);
                purposes(f).transmitted_over_internet = Some(true);
                purposes(f).separate_consent_for_transmission = consent;
            });
            assert_eq!(hit.len(), 1);
            assert_eq!(hit[0].severity, Severity::High);
            assert_eq!(hit[0].article, "Art. 8");
            assert_eq!(hit[0].path, "purposes.separate_consent_for_transmission");
        }
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).transmitted_over_internet = Some(true);
            purposes(f).separate_consent_for_transmission = Some(true);
        })
        .is_empty());
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).transmitted_over_internet = None;
        })
        .is_empty());
    }

    // --- Art. 9 ------------------------------------------------------------------------------

    fn set_pipia(form: &mut FilingForm, on: NaiveDate) {
        form.pipia.as_mut().expect("example has pipia").completed_on = Some(on);
    }

    #[test]
    fn pipia_after_processing_began_uses_the_known_start() {
        let c = code::PIPIA_AFTER_PROCESSING_BEGAN;
        let kind = FilingKind::Initial;
        let form = example(kind); // PIPIA 30 days before the threshold day
        let started = |d| Context {
            processing_started_on: Some(d),
            ..Context::new(kind)
        };
        let hit = run(c, &form, &started(before(60)));
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].article, "Art. 9");
        assert_eq!(hit[0].path, "pipia.completed_on");
        assert!(hit[0].message.contains("processing began"));
        assert!(run(c, &form, &started(before(30))).is_empty(), "same day");
        assert!(run(c, &form, &started(before(10))).is_empty());
    }

    #[test]
    fn pipia_after_processing_began_falls_back_to_the_threshold_day() {
        let c = code::PIPIA_AFTER_PROCESSING_BEGAN;
        let hit = after(c, FilingKind::Initial, |f| {
            set_pipia(f, trigger() + Days::new(1))
        });
        assert_eq!(hit.len(), 1);
        assert!(hit[0].message.contains("100,000"), "{}", hit[0].message);
        assert!(after(c, FilingKind::Initial, |f| set_pipia(f, trigger())).is_empty());
        // Nothing to compare with, or no PIPIA date: silent.
        assert!(after(c, FilingKind::Initial, |f| {
            set_pipia(f, trigger() + Days::new(1));
            f.storage.as_mut().expect("storage").reached_threshold_on = None;
        })
        .is_empty());
        assert!(after(c, FilingKind::Initial, |f| {
            f.pipia = None;
        })
        .is_empty());
    }

    #[test]
    fn pipia_after_processing_began_is_for_initial_filings_only() {
        let c = code::PIPIA_AFTER_PROCESSING_BEGAN;
        for kind in [FilingKind::Change, FilingKind::Deregistration] {
            let ctx = Context {
                processing_started_on: Some(day(2000, 1, 1)),
                ..Context::new(kind)
            };
            assert!(run(c, &example(kind), &ctx).is_empty(), "{kind}");
        }
    }

    #[test]
    fn pipia_after_change_fires_when_assessed_late() {
        let c = code::PIPIA_AFTER_CHANGE;
        let hit = after(c, FilingKind::Change, |f| {
            set_pipia(f, trigger() + Days::new(3));
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].article, "Art. 9");
        assert_eq!(hit[0].path, "pipia.completed_on");
        // Assessed before or on the change day: the order Art. 9 asks for.
        assert!(after(c, FilingKind::Change, |_| {}).is_empty());
        assert!(after(c, FilingKind::Change, |f| set_pipia(f, trigger())).is_empty());
        // A change that leaves purposes and methods alone needs no new assessment.
        assert!(after(c, FilingKind::Change, |f| {
            set_pipia(f, trigger() + Days::new(3));
            f.change.as_mut().expect("change").what_changed = vec!["storage".to_owned()];
        })
        .is_empty());
        // Only change filings.
        assert!(after(c, FilingKind::Initial, |f| {
            set_pipia(f, trigger() + Days::new(3));
            f.change = example(FilingKind::Change).change;
        })
        .is_empty());
    }

    #[test]
    fn pipia_not_redone_for_change_fires_on_a_pre_processing_report() {
        let c = code::PIPIA_NOT_REDONE_FOR_CHANGE;
        let kind = FilingKind::Change;
        let started = |d| Context {
            processing_started_on: Some(d),
            ..Context::new(kind)
        };
        let mut form = example(kind);
        set_pipia(&mut form, before(400));
        let hit = run(c, &form, &started(before(365)));
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].path, "pipia.completed_on");
        assert!(run(c, &form, &started(before(500))).is_empty());
        assert!(
            run(c, &form, &Context::new(kind)).is_empty(),
            "start unknown"
        );
        form.change.as_mut().expect("change").what_changed = vec!["rules".to_owned()];
        assert!(run(c, &form, &started(before(365))).is_empty());
    }

    // --- Art. 10 -----------------------------------------------------------------------------

    #[test]
    fn no_non_face_alternative_fires_on_no_and_unanswered() {
        let c = code::NO_NON_FACE_ALTERNATIVE;
        for answer in [Some(false), None] {
            let hit = after(c, FilingKind::Initial, |f| {
                purposes(f).non_face_alternative_offered = answer;
            });
            assert_eq!(hit.len(), 1);
            assert_eq!(hit[0].severity, Severity::Medium);
            assert_eq!(hit[0].article, "Art. 10");
            assert_eq!(hit[0].path, "purposes.non_face_alternative_offered");
        }
        assert!(after(c, FilingKind::Initial, |_| {}).is_empty());
    }

    // --- Art. 13 -----------------------------------------------------------------------------

    #[test]
    fn device_in_private_space_flags_each_location() {
        let c = code::DEVICE_IN_PRIVATE_SPACE;
        let hit = after(c, FilingKind::Initial, |f| {
            let locations = &mut purposes(f).device_locations;
            locations[0].location_kind = Some(LocationKind::PrivateSpace);
            locations.push(DeviceLocation {
                description: Some("Hotel room 1203".to_owned()),
                location_kind: Some(LocationKind::PrivateSpace),
                device_count: Some(1),
            });
        });
        let paths: Vec<&str> = hit.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "purposes.device_locations[0].location_kind",
                "purposes.device_locations[2].location_kind",
            ]
        );
        assert!(hit.iter().all(|f| f.severity == Severity::Critical));
        assert!(hit[1].message.contains("(Hotel room 1203)"));
        assert!(after(c, FilingKind::Initial, |_| {}).is_empty());
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).device_locations[0].location_kind = None;
        })
        .is_empty());
    }

    #[test]
    fn private_space_locations_keep_index_order_after_sorting() {
        let mut form = example(FilingKind::Initial);
        purposes(&mut form).device_locations = (0..12)
            .map(|_| DeviceLocation {
                location_kind: Some(LocationKind::PrivateSpace),
                ..DeviceLocation::default()
            })
            .collect();
        let a = assess(&form, &Context::new(FilingKind::Initial));
        let expected: Vec<String> = (0..12)
            .map(|i| format!("purposes.device_locations[{i}].location_kind"))
            .collect();
        let got: Vec<String> = a.flags.into_iter().map(|f| f.path).collect();
        assert_eq!(got, expected);
    }

    fn public(f: &mut FilingForm) {
        purposes(f).in_public_places = Some(true);
        purposes(f).signage_in_place = Some(true);
        purposes(f).for_public_safety = Some(true);
    }

    #[test]
    fn public_place_without_signage() {
        let c = code::PUBLIC_PLACE_WITHOUT_SIGNAGE;
        for signs in [Some(false), None] {
            let hit = after(c, FilingKind::Initial, |f| {
                public(f);
                purposes(f).signage_in_place = signs;
            });
            assert_eq!(hit.len(), 1);
            assert_eq!(hit[0].severity, Severity::High);
            assert_eq!(hit[0].article, "Art. 13");
            assert_eq!(hit[0].path, "purposes.signage_in_place");
        }
        assert!(after(c, FilingKind::Initial, public).is_empty());
        // Not in public places: signs are not asked for.
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).signage_in_place = Some(false);
        })
        .is_empty());
        // A public-area location counts even if the yes/no answer contradicts it.
        assert_eq!(
            after(c, FilingKind::Initial, |f| {
                purposes(f).device_locations[0].location_kind = Some(LocationKind::PublicArea);
            })
            .len(),
            1
        );
    }

    #[test]
    fn public_place_not_for_public_safety() {
        let c = code::PUBLIC_PLACE_NOT_FOR_PUBLIC_SAFETY;
        let hit = after(c, FilingKind::Initial, |f| {
            public(f);
            purposes(f).for_public_safety = Some(false);
        });
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Medium);
        assert_eq!(hit[0].path, "purposes.for_public_safety");
        assert!(after(c, FilingKind::Initial, public).is_empty());
        assert!(after(c, FilingKind::Initial, |f| {
            purposes(f).for_public_safety = Some(false);
        })
        .is_empty());
    }

    // --- Art. 14 -----------------------------------------------------------------------------

    #[test]
    fn each_missing_security_measure_is_flagged() {
        type Field = fn(&mut SecurityMeasures) -> &mut Option<bool>;
        let measures: [(&str, &str, Severity, Field); 5] = [
            (code::NO_ENCRYPTION, "encryption", Severity::High, |m| {
                &mut m.encryption
            }),
            (
                code::NO_SECURITY_AUDIT,
                "security_audit",
                Severity::Medium,
                |m| &mut m.security_audit,
            ),
            (
                code::NO_ACCESS_CONTROL,
                "access_control",
                Severity::Medium,
                |m| &mut m.access_control,
            ),
            (
                code::NO_AUTHORISATION_MANAGEMENT,
                "authorisation_management",
                Severity::Medium,
                |m| &mut m.authorisation_management,
            ),
            (
                code::NO_INTRUSION_DETECTION,
                "intrusion_detection",
                Severity::Medium,
                |m| &mut m.intrusion_detection,
            ),
        ];
        for (c, field, severity, get) in measures {
            for answer in [Some(false), None] {
                let hit = after(c, FilingKind::Initial, |f| *get(security(f)) = answer);
                assert_eq!(hit.len(), 1, "{c}");
                assert_eq!(hit[0].severity, severity, "{c}");
                assert_eq!(hit[0].article, "Art. 14");
                assert_eq!(hit[0].path, format!("storage.security.{field}"));
            }
            assert!(after(c, FilingKind::Initial, |_| {}).is_empty(), "{c}");
            // Other measures missing do not trip this one.
            assert!(after(c, FilingKind::Initial, |f| {
                *security(f) = SecurityMeasures::default();
                *get(security(f)) = Some(true);
            })
            .is_empty());
            // A deregistration without a security section: not asked; with a "no": flagged.
            assert!(after(c, FilingKind::Deregistration, |f| {
                f.storage = None;
            })
            .is_empty());
            assert_eq!(
                after(c, FilingKind::Deregistration, |f| *get(security(f)) =
                    Some(false))
                .len(),
                1
            );
        }
    }

    // --- Art. 15 and GB 32100-2015 -----------------------------------------------------------

    #[test]
    fn late_filing_names_the_working_days() {
        let c = code::LATE_FILING;
        for (kind, path) in [
            (FilingKind::Initial, "storage.reached_threshold_on"),
            (FilingKind::Change, "change.changed_on"),
            (FilingKind::Deregistration, "deregistration.ended_on"),
        ] {
            let ctx = Context {
                late_by_working_days: Some(4),
                ..Context::new(kind)
            };
            let hit = run(c, &example(kind), &ctx);
            assert_eq!(hit.len(), 1);
            assert_eq!(hit[0].severity, Severity::Medium);
            assert_eq!(hit[0].article, "Art. 15");
            assert_eq!(hit[0].path, path);
            assert!(
                hit[0].message.contains("4 working days"),
                "{}",
                hit[0].message
            );
        }
        let one = Context {
            late_by_working_days: Some(1),
            ..Context::new(FilingKind::Initial)
        };
        assert!(run(c, &example(FilingKind::Initial), &one)[0]
            .message
            .contains("1 working day "));
        for late in [None, Some(0), Some(-3)] {
            let ctx = Context {
                late_by_working_days: late,
                ..Context::new(FilingKind::Initial)
            };
            assert!(run(c, &example(FilingKind::Initial), &ctx).is_empty());
        }
    }

    #[test]
    fn uscc_checksum_mismatch_is_low() {
        let c = code::USCC_CHECKSUM_MISMATCH;
        let ctx = Context {
            uscc_checksum_ok: false,
            ..Context::new(FilingKind::Initial)
        };
        let hit = run(c, &example(FilingKind::Initial), &ctx);
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].severity, Severity::Low);
        assert_eq!(hit[0].article, "GB 32100-2015");
        assert!(run(
            c,
            &example(FilingKind::Initial),
            &Context::new(FilingKind::Initial)
        )
        .is_empty());
    }

    // --- properties --------------------------------------------------------------------------

    fn any_kind() -> impl Strategy<Value = FilingKind> {
        prop::sample::select(FilingKind::ALL.to_vec())
    }

    fn any_answer() -> impl Strategy<Value = Option<bool>> {
        prop::option::of(any::<bool>())
    }

    fn any_location_kind() -> impl Strategy<Value = Option<LocationKind>> {
        prop::option::of(prop::sample::select(LocationKind::ALL.to_vec()))
    }

    fn any_date() -> impl Strategy<Value = Option<NaiveDate>> {
        prop::option::of(prop_oneof![
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
            (-1_000i64..1_000).prop_map(|d| {
                trigger()
                    .checked_add_signed(chrono::TimeDelta::days(d))
                    .unwrap_or(NaiveDate::MAX)
            }),
        ])
    }

    proptest! {
        #[test]
        fn assess_never_panics_and_level_is_max_non_info_severity(
            kind in any_kind(),
            answers in prop::collection::vec(any_answer(), 17),
            locations in prop::collection::vec(any_location_kind(), 0..6),
            drop_sections in prop::collection::vec(any::<bool>(), 3),
            dates in prop::collection::vec(any_date(), 4),
            late in prop::option::of(-5i64..50),
            uscc_checksum_ok in any::<bool>(),
            changed_purposes in any::<bool>(),
        ) {
            let mut form = example(kind);
            {
                let p = purposes(&mut form);
                p.in_public_places = answers[0];
                p.signage_in_place = answers[1];
                p.for_public_safety = answers[2];
                p.stored_on_device_only = answers[3];
                p.transmitted_over_internet = answers[4];
                p.separate_consent_for_transmission = answers[5];
                p.separate_consent_obtained = answers[6];
                p.consent_withdrawable = answers[7];
                p.processes_minors_under_14 = answers[8];
                p.guardian_consent = answers[9];
                p.special_rules_for_minors = answers[10];
                p.non_face_alternative_offered = answers[11];
                p.device_locations = locations
                    .iter()
                    .map(|&k| DeviceLocation { location_kind: k, ..DeviceLocation::default() })
                    .collect();
            }
            {
                let m = security(&mut form);
                m.encryption = answers[12];
                m.security_audit = answers[13];
                m.access_control = answers[14];
                m.authorisation_management = answers[15];
                m.intrusion_detection = answers[16];
            }
            form.storage.as_mut().expect("storage").reached_threshold_on = dates[0];
            form.pipia.as_mut().expect("pipia").completed_on = dates[1];
            form.change = Some(crate::form::ChangeDetails {
                changed_on: dates[2],
                what_changed: if changed_purposes { vec!["purposes".to_owned()] } else { Vec::new() },
                description: None,
            });
            if drop_sections[0] { form.purposes = None; }
            if drop_sections[1] { form.storage = None; }
            if drop_sections[2] { form.pipia = None; }
            let ctx = Context {
                kind,
                late_by_working_days: late,
                uscc_checksum_ok,
                processing_started_on: dates[3],
            };

            let a = assess(&form, &ctx);

            let max = a
                .flags
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .map(|f| RiskLevel::from(f.severity))
                .max()
                .unwrap_or(RiskLevel::None);
            prop_assert_eq!(a.level, max);
            for pair in a.flags.windows(2) {
                prop_assert!(
                    (Reverse(pair[0].severity), &pair[0].code)
                        <= (Reverse(pair[1].severity), &pair[1].code)
                );
            }
            for f in &a.flags {
                let r = rule(&f.code).expect("flag from a known rule");
                prop_assert_eq!(f.severity, r.severity);
                prop_assert_eq!(&f.article, r.article);
                prop_assert!(!f.path.is_empty() && f.message.ends_with('.'));
            }
            let private = if drop_sections[0] {
                0
            } else {
                locations.iter().filter(|&&k| k == Some(LocationKind::PrivateSpace)).count()
            };
            prop_assert_eq!(
                a.flags.iter().filter(|f| f.code == code::DEVICE_IN_PRIVATE_SPACE).count(),
                private
            );
            if private > 0 {
                prop_assert_eq!(a.level, RiskLevel::Critical);
            }
        }
    }
}
