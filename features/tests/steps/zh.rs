//! 中文步骤: the same steps in Chinese, for scenarios written with `# language: zh-CN`
//! (功能, 场景, 假如, 当, 那么, 而且). Each calls the English step it translates.

use crate::steps::{calendar, platform};
use crate::support::FrtWorld;
use cucumber::{given, then, when};

#[given("平台正在运行")]
async fn platform_running(w: &mut FrtWorld) {
    platform::platform_running(w).await;
}

#[then(regex = r"^响应状态为 (\d+)$")]
async fn status_is(w: &mut FrtWorld, status: u16) {
    platform::status_is(w, status).await;
}

#[then(regex = r"^问题代码为「([^」]+)」$")]
async fn problem_code_is(w: &mut FrtWorld, code: String) {
    platform::problem_code_is(w, code).await;
}

#[when(regex = r"^任何人查询 (\S+) 之后 (\S+) 个工作日的日期$")]
async fn ask_due_date(w: &mut FrtWorld, from: String, days: String) {
    calendar::ask_due_date(w, days, from).await;
}

#[then(regex = r"^截止日期为 (\d{4}-\d{2}-\d{2})$")]
async fn due_date_is(w: &mut FrtWorld, expected: String) {
    calendar::due_date_is(w, expected).await;
}

#[then(regex = r"^截止日期(不)?是临时的$")]
async fn provisional(w: &mut FrtWorld, not: String) {
    calendar::provisional(w, not).await;
}

#[then(regex = r"^(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2}) 每一天都作为节假日「([^」]+)」跳过$")]
async fn skipped_as_holiday(w: &mut FrtWorld, from: String, to: String, name: String) {
    calendar::skipped_as_holiday(w, from, to, name).await;
}
