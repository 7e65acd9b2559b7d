@browser
Feature: The portal in a browser, in Chinese first
  Processors and the public use the portal's pages; the public forms work with JavaScript
  off. Every page a scenario visits is checked with axe and walked with the keyboard.

  Background:
    Given the platform is running

  Scenario: A citizen files a complaint with JavaScript off and follows it with the code
    Given a browser with JavaScript off
    When they open the portal page "/"
    And they follow the link "投诉举报"
    And they fill in "processor_name" with "某某商场"
    And they choose "310000" for "province"
    And they fill in "description" with "商场入口只能刷脸进入，没有其他方式。"
    And they fill in "email" with "citizen@example.com"
    And they press "提交投诉"
    Then the page's title is "投诉已受理登记"
    And they note the "receipt-number" shown
    And they note the "access-code" shown
    And the page says "查询码只显示这一次"
    When they follow the link "查询办理情况"
    And they fill in "receipt_number" with the noted "receipt-number"
    And they fill in "access_code" with the noted "access-code"
    And they press "查询"
    Then the page says "办理状态"
    When they open the portal page "/complaints/status"
    And they fill in "receipt_number" with the noted "receipt-number"
    And they fill in "access_code" with "WRONG-CODE-0000"
    And they press "查询"
    Then the page says "没有与该受理编号和查询码相符的投诉"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A complaint form sent without its CSRF token changes nothing
    Given a browser
    When they open the portal page "/complaints/new"
    And they fill in "processor_name" with "某某商场"
    And they choose "310000" for "province"
    And they fill in "description" with "入口强制刷脸。"
    And they fill in "email" with "citizen@example.com"
    And the form's CSRF token is taken out before it is sent
    And they press "提交投诉"
    Then the page says "未作任何更改"
    And the page does not say "受理编号"

  Scenario: A problem is shown beside its field and what was typed is kept
    Given a browser with JavaScript off
    When they open the portal page "/complaints/new"
    And they fill in "processor_name" with "某某商场"
    And they fill in "description" with "入口强制刷脸。"
    And they fill in "email" with "citizen@example.com"
    And they press "提交投诉"
    Then the page says "请更正以下问题"
    And the page says "被投诉单位未在本平台注册时必选"
    When they choose "310000" for "province"
    And they press "提交投诉"
    Then the page's title is "投诉已受理登记"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A processor logs in and reads its filing's time limits explained
    Given processor "北辰安防" is registered in province 310000
    And "北辰安防" has submitted a complete initial filing triggered 10 days ago
    And a browser
    When the portal admin of "北辰安防" logs in through the login page
    Then the page's title is "我的备案"
    And the page says "已提交待审查"
    When they follow the link "首次备案"
    Then the page shows the time limits of the filing, each with why its date
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: Anyone counts working days across a holiday
    Given a browser with JavaScript off
    When they open the portal page "/due-date"
    And they fill in "from" with "2026-09-25"
    And they fill in "working_days" with "5"
    And they press "计算"
    Then the page says "2026年10月9日"
    And the page says "国庆节"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: The page checks catch a field nobody can name and a control the keyboard skips
    Given a browser
    When they open the portal page "/due-date"
    And a field without a label and a link the keyboard skips are put on the page
    Then the page check finds the field without a label and the skipped link
