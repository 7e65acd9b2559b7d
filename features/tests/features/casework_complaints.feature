@browser @needs-mail
Feature: Casework in a browser: complaints through to the reply
  A complaint handler works the province's complaints (Art. 17) on casework's pages: the
  queue nearest time limit first, then one complaint's steps, each offered only when its state
  and the handler's role allow it. The reply starts from a template in the complainant's
  language, is edited before it is sent, and the complaint closes only once the reply has
  reached the complainant.

  Background:
    Given the platform is running with mail delivered over SMTP
    And "Zhou" is a complaint handler at the provincial CAC office of 310000
    And processor "静安智慧门禁有限公司" is registered in province 310000

  Scenario: A complaint handler accepts a complaint, replies with the template, and cannot close it until the reply is delivered
    Given "Li Si" has complained about "静安智慧门禁有限公司" with a reply by mail
    And a browser
    When "Zhou" signs in to casework through the login page
    And they follow the link "投诉举报"
    Then the page's title is "投诉举报"
    When they follow the link to the complaint
    Then the page says "受理期限"
    And the page says "为什么是这一天"
    And the page says "联系方式已部分隐藏"
    When they press "受理"
    Then the page says "已受理。"
    When they press "由我承办"
    Then the page says "您正在查看完整的联系方式"
    When they press "开始办理"
    And they fill in "result" with "经核查属实，已责令该单位设置显著提示标识。"
    And they press "形成处理结果"
    Then the field "text" holds text containing "受理编号"
    And the field "text" holds text containing "已责令该单位设置显著提示标识"
    When they follow the link "英文模板"
    Then the field "text" holds text containing "Your complaint"
    When they follow the link "中文模板"
    And they fill in "text" with "Li Si您好：您反映的问题经核查属实，已责令该单位设置显著提示标识。"
    And they press "发送答复"
    Then the page says "答复已提交。"
    And the page says "答复尚未送达投诉人，送达后方可办结。"
    And the page offers no button "办结"
    When the worker sends the outbox
    Then the latest mail to "Li Si" has a subject containing "办理结果答复"
    And its text contains "已责令该单位设置显著提示标识"
    When they open the casework page of the complaint
    Then the page says "已送达"
    When they press "办结"
    Then the page says "已办结。"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A complaint handler of another province sees none of it
    Given "Li Si" has complained about "静安智慧门禁有限公司" with a reply by mail
    And "Qian" is a complaint handler at the provincial CAC office of 110000
    And a browser
    When "Qian" signs in to casework through the login page
    And they follow the link "投诉举报"
    Then the page does not show the complaint
    When they open the casework page of the complaint
    Then the page's title is "页面不存在"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
