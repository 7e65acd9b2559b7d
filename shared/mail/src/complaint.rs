//! Notices about a complaint (投诉举报): to the complainant (receipt, transfer, the reply) and
//! to the office's staff (time limits near or passed). Staff notices name the receipt only:
//! the complainant's contact never travels in staff mail.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplaintNotice {
    /// 受理回执: the complaint was registered under a receipt number.
    Received {
        receipt_number: String,
        name: Option<String>,
    },
    /// 转办告知: it was transferred out of the office's remit.
    Transferred {
        receipt_number: String,
        name: Option<String>,
        to: String,
        reason: String,
    },
    /// 答复: the result (or why it was not accepted), the reply Art. 17 requires.
    Reply {
        receipt_number: String,
        name: Option<String>,
        text: String,
    },
    /// To staff: a time limit of the complaint is near.
    Due {
        receipt_number: String,
        step: TimedStep,
        due: NaiveDate,
        working_days_left: i64,
    },
    /// To staff: a time limit passed (督办).
    Overdue {
        receipt_number: String,
        step: TimedStep,
        due: NaiveDate,
    },
    /// To the province's supervisors: the complainant rated the handling 不满意 (回访).
    Dissatisfied {
        receipt_number: String,
        comment: Option<String>,
    },
}

/// The step of a complaint a time limit is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimedStep {
    /// Deciding whether to accept it (受理).
    Acceptance,
    /// Replying to the complainant (答复).
    Reply,
}

impl TimedStep {
    fn zh(self) -> &'static str {
        match self {
            Self::Acceptance => "受理",
            Self::Reply => "答复",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Acceptance => "decide acceptance of",
            Self::Reply => "reply to",
        }
    }
}

fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn greeting_zh(name: &Option<String>) -> String {
    match name {
        Some(n) => format!("{n}：\n\n"),
        None => "您好：\n\n".to_owned(),
    }
}

fn greeting_en(name: &Option<String>) -> String {
    match name {
        Some(n) => format!("Dear {n},\n\n"),
        None => "Hello,\n\n".to_owned(),
    }
}

impl ComplaintNotice {
    fn receipt(&self) -> &str {
        match self {
            Self::Received { receipt_number, .. }
            | Self::Transferred { receipt_number, .. }
            | Self::Reply { receipt_number, .. }
            | Self::Due { receipt_number, .. }
            | Self::Overdue { receipt_number, .. }
            | Self::Dissatisfied { receipt_number, .. } => receipt_number,
        }
    }
}

impl Message for ComplaintNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::Received { .. } => "complaint.received",
            Self::Transferred { .. } => "complaint.transferred",
            Self::Reply { .. } => "complaint.reply",
            Self::Due { .. } => "complaint.due",
            Self::Overdue { .. } => "complaint.overdue",
            Self::Dissatisfied { .. } => "complaint.dissatisfied",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        let r = self.receipt();
        let (subject, body) = match (self, locale) {
            (Self::Received { name, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】已登记，受理编号{r}"),
                format!("{}您的投诉举报已登记，受理编号为{r}。请凭受理编号和查询码在网上查询办理进度。我们将依法处理并告知您结果。\n", greeting_zh(name)),
            ),
            (Self::Received { name, .. }, Locale::En) => (
                format!("[FRT complaint] Registered as {r}"),
                format!("{}Your complaint is registered as {r}. Follow it online with this number and your access code. You will be told the result.\n", greeting_en(name)),
            ),
            (Self::Transferred { name, to, reason, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】已转办（{r}）"),
                format!("{}您的投诉举报（受理编号{r}）不属于本机关职责范围，已转{to}办理。\n转办理由：{reason}\n", greeting_zh(name)),
            ),
            (Self::Transferred { name, to, reason, .. }, Locale::En) => (
                format!("[FRT complaint] {r} transferred"),
                format!("{}Your complaint {r} is outside this office's remit and was transferred to {to}.\nReason: {reason}\n", greeting_en(name)),
            ),
            (Self::Reply { name, text, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】办理结果答复（{r}）"),
                format!("{}关于您的投诉举报（受理编号{r}），答复如下：\n\n{text}\n", greeting_zh(name)),
            ),
            (Self::Reply { name, text, .. }, Locale::En) => (
                format!("[FRT complaint] Reply on {r}"),
                format!("{}Our reply on your complaint {r}:\n\n{text}\n", greeting_en(name)),
            ),
            (Self::Due { step, due, working_days_left, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】期限提醒：{r}还剩{working_days_left}个工作日"),
                format!("投诉举报{r}的{}期限为{}，还剩{working_days_left}个工作日。\n", step.zh(), zh_date(*due)),
            ),
            (Self::Due { step, due, working_days_left, .. }, Locale::En) => (
                format!("[FRT complaint] {r}: {working_days_left} working day(s) left"),
                format!("The time limit to {} complaint {r} ends on {due}: {working_days_left} working day(s) left.\n", step.en()),
            ),
            (Self::Overdue { step, due, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】超期督办：{r}"),
                format!("投诉举报{r}的{}期限已于{}届满，尚未完成，请督办。\n", step.zh(), zh_date(*due)),
            ),
            (Self::Overdue { step, due, .. }, Locale::En) => (
                format!("[FRT complaint] Overdue: {r}"),
                format!("The time limit to {} complaint {r} ended on {due} and has not been met.\n", step.en()),
            ),
            (Self::Dissatisfied { comment, .. }, Locale::ZhCn) => (
                format!("【人脸识别投诉举报】回访不满意：{r}"),
                format!(
                    "投诉举报{r}的投诉人对办理情况评价为“不满意”，请审阅。\n{}",
                    comment.as_deref().map(|c| format!("投诉人意见：{c}\n")).unwrap_or_default()
                ),
            ),
            (Self::Dissatisfied { comment, .. }, Locale::En) => (
                format!("[FRT complaint] Rated dissatisfied: {r}"),
                format!(
                    "The complainant of {r} rated its handling as dissatisfied; please review it.\n{}",
                    comment.as_deref().map(|c| format!("Their comment: {c}\n")).unwrap_or_default()
                ),
            ),
        };
        let sign = match locale {
            Locale::ZhCn => SIGN_OFF_ZH,
            Locale::En => SIGN_OFF_EN,
        };
        Rendered {
            subject,
            text: format!("{body}\n{sign}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_renders_in_both_languages_with_its_receipt() {
        let r = "TS-310000-20261202-0001".to_owned();
        let due = NaiveDate::from_ymd_opt(2026, 12, 9).expect("date");
        let all = [
            ComplaintNotice::Received {
                receipt_number: r.clone(),
                name: Some("张三".into()),
            },
            ComplaintNotice::Transferred {
                receipt_number: r.clone(),
                name: None,
                to: "公安机关".into(),
                reason: "涉嫌违法犯罪".into(),
            },
            ComplaintNotice::Reply {
                receipt_number: r.clone(),
                name: Some("张三".into()),
                text: "经核查，已责令改正。".into(),
            },
            ComplaintNotice::Due {
                receipt_number: r.clone(),
                step: TimedStep::Acceptance,
                due,
                working_days_left: 1,
            },
            ComplaintNotice::Overdue {
                receipt_number: r.clone(),
                step: TimedStep::Reply,
                due,
            },
            ComplaintNotice::Dissatisfied {
                receipt_number: r.clone(),
                comment: Some("处理太慢".into()),
            },
        ];
        for n in all {
            for l in Locale::ALL {
                let out = n.render(l);
                assert!(out.subject.contains(&r) || out.text.contains(&r), "{out:?}");
                assert!(!out.subject.contains('\n'));
            }
        }
    }
}
