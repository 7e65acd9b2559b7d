//! The notices the platform sends, each in Chinese (zh-CN) and English. A notice is plain data;
//! `render` turns it into a subject and a text body. Chinese is the default: English is for
//! recipients who chose it.

use chrono::{Datelike, NaiveDate};
use frt_domain::filing::FilingKind;
use std::fmt::Write as _;
use uuid::Uuid;

/// The language of a recipient's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }
}

impl std::str::FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown locale '{s}': use zh-CN or en"))
    }
}

/// A message the platform sends: a stable template name (stored with each outbox row) and its
/// text in a locale. Each case type has its own notices implementing it, so the outbox, the
/// worker and the sweep send any of them alike.
pub trait Message {
    fn template(&self) -> &'static str;
    fn render(&self, locale: Locale) -> Rendered;
}

/// The filing a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingRef {
    pub id: Uuid,
    pub kind: FilingKind,
    pub processor: String,
    pub uscc: String,
}

/// One reason given with a return or a refusal: the field or material it is about, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonLine {
    pub path: Option<String>,
    pub message: String,
}

/// A notice about a filing, to a processor or to staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingNotice {
    /// Receipt (回执) of a submission or resubmission.
    Submitted {
        filing: FilingRef,
        resubmission: bool,
        submitted_on: NaiveDate,
    },
    /// Returned for correction (退回补正), with reasons and the correction time limit.
    Returned {
        filing: FilingRef,
        reasons: Vec<ReasonLine>,
        correction_due: NaiveDate,
    },
    /// Recorded (已备案), with the filing number.
    Recorded {
        filing: FilingRef,
        filing_number: String,
    },
    /// Refused (不予备案), with reasons.
    Refused {
        filing: FilingRef,
        reasons: Vec<ReasonLine>,
    },
    /// The processor's correction time limit is near.
    CorrectionDue {
        filing: FilingRef,
        due: NaiveDate,
        working_days_left: i64,
    },
    /// The processor's correction time limit has passed.
    CorrectionOverdue { filing: FilingRef, due: NaiveDate },
    /// The regulator's review time limit is near (to the assigned reviewer).
    ReviewDue {
        filing: FilingRef,
        due: NaiveDate,
        working_days_left: i64,
    },
    /// The regulator's review time limit has passed (escalated to supervisors).
    ReviewOverdue {
        filing: FilingRef,
        due: NaiveDate,
        assignee: Option<String>,
    },
}

impl Message for FilingNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "filing.submitted",
            Self::Returned { .. } => "filing.returned",
            Self::Recorded { .. } => "filing.recorded",
            Self::Refused { .. } => "filing.refused",
            Self::CorrectionDue { .. } => "deadline.correction_due",
            Self::CorrectionOverdue { .. } => "deadline.correction_overdue",
            Self::ReviewDue { .. } => "deadline.review_due",
            Self::ReviewOverdue { .. } => "deadline.review_overdue",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        match locale {
            Locale::ZhCn => render_zh(self),
            Locale::En => render_en(self),
        }
    }
}

impl FilingNotice {
    pub fn filing(&self) -> &FilingRef {
        match self {
            Self::Submitted { filing, .. }
            | Self::Returned { filing, .. }
            | Self::Recorded { filing, .. }
            | Self::Refused { filing, .. }
            | Self::CorrectionDue { filing, .. }
            | Self::CorrectionOverdue { filing, .. }
            | Self::ReviewDue { filing, .. }
            | Self::ReviewOverdue { filing, .. } => filing,
        }
    }
}

/// A message written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
}

fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn kind_en(kind: FilingKind) -> &'static str {
    match kind {
        FilingKind::Initial => "initial filing",
        FilingKind::Change => "change filing",
        FilingKind::Deregistration => "deregistration filing",
    }
}

fn reasons_block(out: &mut String, reasons: &[ReasonLine]) {
    for (i, r) in reasons.iter().enumerate() {
        let _ = match &r.path {
            Some(p) => writeln!(out, "  {}. [{p}] {}", i + 1, r.message),
            None => writeln!(out, "  {}. {}", i + 1, r.message),
        };
    }
}

fn about(out: &mut String, f: &FilingRef, locale: Locale) {
    let _ = match locale {
        Locale::ZhCn => writeln!(
            out,
            "个人信息处理者：{}（统一社会信用代码 {}）\n备案类型：{}\n备案申请编号：{}",
            f.processor,
            f.uscc,
            f.kind.name_zh(),
            f.id
        ),
        Locale::En => writeln!(
            out,
            "Processor: {} (USCC {})\nFiling: {}\nReference: {}",
            f.processor,
            f.uscc,
            kind_en(f.kind),
            f.id
        ),
    };
}

pub(crate) const SIGN_OFF_ZH: &str = "\n此邮件由人脸识别技术应用备案系统自动发送，请勿直接回复。\n";
pub(crate) const SIGN_OFF_EN: &str =
    "\nThis message was sent by the face-recognition filing system; please do not reply to it.\n";

fn render_zh(notice: &FilingNotice) -> Rendered {
    let f = notice.filing();
    let mut text = String::new();
    let subject = match notice {
        FilingNotice::Submitted {
            resubmission,
            submitted_on,
            ..
        } => {
            let what = if *resubmission {
                format!("补正后的{}材料", f.kind.name_zh())
            } else {
                format!("的{}申请", f.kind.name_zh())
            };
            let _ = writeln!(
                text,
                "{}：\n\n我们已于{}收到您{}。网信部门将依法审核，审核结果将另行通知。\n",
                f.processor,
                zh_date(*submitted_on),
                what
            );
            about(&mut text, f, Locale::ZhCn);
            format!("【人脸识别技术应用备案】已收到您{what}")
        }
        FilingNotice::Returned {
            reasons,
            correction_due,
            ..
        } => {
            let _ = writeln!(
                text,
                "{}：\n\n您提交的{}需要补正，请在{}前按以下意见补正后重新提交：\n",
                f.processor,
                f.kind.name_zh(),
                zh_date(*correction_due)
            );
            reasons_block(&mut text, reasons);
            text.push('\n');
            about(&mut text, f, Locale::ZhCn);
            format!(
                "【人脸识别技术应用备案】退回补正：请于{}前补正",
                zh_date(*correction_due)
            )
        }
        FilingNotice::Recorded { filing_number, .. } => {
            let _ = writeln!(
                text,
                "{}：\n\n您的{}已完成备案，备案编号为 {}。\n",
                f.processor,
                f.kind.name_zh(),
                filing_number
            );
            about(&mut text, f, Locale::ZhCn);
            format!("【人脸识别技术应用备案】备案完成，备案编号 {filing_number}")
        }
        FilingNotice::Refused { reasons, .. } => {
            let _ = writeln!(
                text,
                "{}：\n\n经审核，您的{}不予备案，理由如下：\n",
                f.processor,
                f.kind.name_zh()
            );
            reasons_block(&mut text, reasons);
            text.push('\n');
            about(&mut text, f, Locale::ZhCn);
            "【人脸识别技术应用备案】不予备案通知".to_owned()
        }
        FilingNotice::CorrectionDue {
            due,
            working_days_left,
            ..
        } => {
            let _ = writeln!(
                text,
                "{}：\n\n您的{}补正期限为{}，还剩{}个工作日。请及时补正并重新提交。\n",
                f.processor,
                f.kind.name_zh(),
                zh_date(*due),
                working_days_left
            );
            about(&mut text, f, Locale::ZhCn);
            format!("【人脸识别技术应用备案】补正期限提醒：还剩{working_days_left}个工作日")
        }
        FilingNotice::CorrectionOverdue { due, .. } => {
            let _ = writeln!(
                text,
                "{}：\n\n您的{}补正期限已于{}届满，至今未重新提交。请尽快补正并提交。\n",
                f.processor,
                f.kind.name_zh(),
                zh_date(*due)
            );
            about(&mut text, f, Locale::ZhCn);
            "【人脸识别技术应用备案】补正期限已过".to_owned()
        }
        FilingNotice::ReviewDue {
            due,
            working_days_left,
            ..
        } => {
            let _ = writeln!(
                text,
                "您好：\n\n{}的{}审核期限为{}，还剩{}个工作日。\n",
                f.processor,
                f.kind.name_zh(),
                zh_date(*due),
                working_days_left
            );
            about(&mut text, f, Locale::ZhCn);
            format!(
                "【备案审核】审核期限提醒：还剩{working_days_left}个工作日（{}）",
                f.processor
            )
        }
        FilingNotice::ReviewOverdue { due, assignee, .. } => {
            let who = assignee.as_deref().unwrap_or("（未分配）");
            let _ = writeln!(
                text,
                "您好：\n\n{}的{}审核期限已于{}届满，尚未作出决定。承办人：{}。请督办。\n",
                f.processor,
                f.kind.name_zh(),
                zh_date(*due),
                who
            );
            about(&mut text, f, Locale::ZhCn);
            format!("【备案审核】审核超期，请督办：{}", f.processor)
        }
    };
    text.push_str(SIGN_OFF_ZH);
    Rendered { subject, text }
}

fn render_en(notice: &FilingNotice) -> Rendered {
    let f = notice.filing();
    let kind = kind_en(f.kind);
    let mut text = String::new();
    let subject = match notice {
        FilingNotice::Submitted {
            resubmission,
            submitted_on,
            ..
        } => {
            let what = if *resubmission { "corrected " } else { "" };
            let _ = writeln!(
                text,
                "Dear {},\n\nWe received your {what}{kind} on {submitted_on}. The Cyberspace \
                 Administration office will review it and tell you the result.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            format!("[FRT filing] Your {what}{kind} has been received")
        }
        FilingNotice::Returned {
            reasons,
            correction_due,
            ..
        } => {
            let _ = writeln!(
                text,
                "Dear {},\n\nYour {kind} was returned for correction. Please correct it as \
                 follows and resubmit it by {correction_due}:\n",
                f.processor
            );
            reasons_block(&mut text, reasons);
            text.push('\n');
            about(&mut text, f, Locale::En);
            format!("[FRT filing] Returned for correction: correct by {correction_due}")
        }
        FilingNotice::Recorded { filing_number, .. } => {
            let _ = writeln!(
                text,
                "Dear {},\n\nYour {kind} has been recorded. Its filing number is {filing_number}.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            format!("[FRT filing] Filing recorded: number {filing_number}")
        }
        FilingNotice::Refused { reasons, .. } => {
            let _ = writeln!(
                text,
                "Dear {},\n\nYour {kind} was refused, for these reasons:\n",
                f.processor
            );
            reasons_block(&mut text, reasons);
            text.push('\n');
            about(&mut text, f, Locale::En);
            "[FRT filing] Your filing was refused".to_owned()
        }
        FilingNotice::CorrectionDue {
            due,
            working_days_left,
            ..
        } => {
            let _ = writeln!(
                text,
                "Dear {},\n\nThe time limit to correct your {kind} ends on {due}: \
                 {working_days_left} working day(s) left. Please correct and resubmit it.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            format!("[FRT filing] Reminder: {working_days_left} working day(s) left to correct your filing")
        }
        FilingNotice::CorrectionOverdue { due, .. } => {
            let _ = writeln!(
                text,
                "Dear {},\n\nThe time limit to correct your {kind} ended on {due} and it has not \
                 been resubmitted. Please correct and resubmit it without delay.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            "[FRT filing] The correction time limit has passed".to_owned()
        }
        FilingNotice::ReviewDue {
            due,
            working_days_left,
            ..
        } => {
            let _ = writeln!(
                text,
                "Hello,\n\nThe review of the {kind} of {} is due on {due}: {working_days_left} \
                 working day(s) left.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            format!(
                "[FRT review] {working_days_left} working day(s) left to decide: {}",
                f.processor
            )
        }
        FilingNotice::ReviewOverdue { due, assignee, .. } => {
            let who = assignee.as_deref().unwrap_or("nobody (unassigned)");
            let _ = writeln!(
                text,
                "Hello,\n\nThe review of the {kind} of {} was due on {due} and no decision has \
                 been made. Assigned to: {who}. Please follow it up.\n",
                f.processor
            );
            about(&mut text, f, Locale::En);
            format!("[FRT review] Review overdue, escalated: {}", f.processor)
        }
    };
    text.push_str(SIGN_OFF_EN);
    Rendered { subject, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing() -> FilingRef {
        FilingRef {
            id: Uuid::nil(),
            kind: FilingKind::Initial,
            processor: "示例科技有限公司".into(),
            uscc: "91310115MA1H7A5U3X".into(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn every_notice() -> Vec<FilingNotice> {
        let reasons = vec![
            ReasonLine {
                path: Some("storage.people_stored".into()),
                message: "人数与评估报告不一致".into(),
            },
            ReasonLine {
                path: None,
                message: "承诺书未盖章".into(),
            },
        ];
        vec![
            FilingNotice::Submitted {
                filing: filing(),
                resubmission: false,
                submitted_on: date("2026-11-23"),
            },
            FilingNotice::Returned {
                filing: filing(),
                reasons: reasons.clone(),
                correction_due: date("2026-12-14"),
            },
            FilingNotice::Recorded {
                filing: filing(),
                filing_number: "310000-2026-000001".into(),
            },
            FilingNotice::Refused {
                filing: filing(),
                reasons,
            },
            FilingNotice::CorrectionDue {
                filing: filing(),
                due: date("2026-12-14"),
                working_days_left: 5,
            },
            FilingNotice::CorrectionOverdue {
                filing: filing(),
                due: date("2026-12-14"),
            },
            FilingNotice::ReviewDue {
                filing: filing(),
                due: date("2026-12-14"),
                working_days_left: 1,
            },
            FilingNotice::ReviewOverdue {
                filing: filing(),
                due: date("2026-12-14"),
                assignee: Some("reviewer@sh.cac.example".into()),
            },
        ]
    }

    #[test]
    fn every_notice_renders_in_both_languages_with_its_facts() {
        for n in every_notice() {
            let zh = n.render(Locale::ZhCn);
            let en = n.render(Locale::En);
            for r in [&zh, &en] {
                assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{r:?}");
                assert!(r.text.contains("91310115MA1H7A5U3X"), "{r:?}");
                assert!(r.text.contains(&Uuid::nil().to_string()), "{r:?}");
            }
            assert!(zh.text.contains("请勿直接回复"), "{zh:?}");
            assert!(en.text.contains("do not reply"), "{en:?}");
            assert!(zh.subject.contains('【'), "{zh:?}");
            assert!(en.subject.starts_with("[FRT "), "{en:?}");
        }
    }

    #[test]
    fn decisions_carry_their_number_reasons_and_time_limit() {
        let all = every_notice();
        let returned = all[1].render(Locale::ZhCn);
        assert!(returned.subject.contains("2026年12月14日"), "{returned:?}");
        assert!(returned
            .text
            .contains("[storage.people_stored] 人数与评估报告不一致"));
        assert!(returned.text.contains("2. 承诺书未盖章"));
        let recorded = all[2].render(Locale::En);
        assert!(recorded.subject.contains("310000-2026-000001"));
        let overdue = all[7].render(Locale::ZhCn);
        assert!(overdue.text.contains("reviewer@sh.cac.example"));
    }

    #[test]
    fn locales_parse_by_name() {
        assert_eq!("zh-CN".parse::<Locale>(), Ok(Locale::ZhCn));
        assert_eq!("en".parse::<Locale>(), Ok(Locale::En));
        assert!("fr".parse::<Locale>().is_err());
    }
}
