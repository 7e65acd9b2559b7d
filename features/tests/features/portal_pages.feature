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

  Scenario: A processor registers, fills in an initial filing section by section, uploads the materials and submits
    Given a browser
    When they register "北辰安防科技有限公司" through the registration page
    And they log in through the login page as the admin of "北辰安防科技有限公司"
    And they follow the link "新建备案"
    And they press "开始填写"
    Then the page's title is "个人信息处理者基本情况"
    When they fill in every section of a complete initial filing, typing 两台 as the number of devices at first
    And they upload every material an initial filing needs
    Then the page says "备案表和材料已齐全，可以提交"
    When they press "提交备案"
    Then the page says "已提交。"
    And the page says "已提交待审查"
    And the page shows the time limits of the filing, each with why its date
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A returned filing is corrected and resubmitted; once recorded, its receipt verifies by its QR link
    Given processor "东方门禁有限公司" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "东方门禁有限公司" has submitted a complete initial filing triggered 10 days ago
    And a browser
    When "Wang" returns the filing for correction with these reasons:
      | path                          | message                      |
      | storage.retention_period_days | 保存期限过长，请说明理由或缩短。 |
    And the portal admin of "东方门禁有限公司" logs in through the login page
    And they follow the link "首次备案"
    Then the page says "退回补正的理由"
    And the page says "保存期限过长，请说明理由或缩短。"
    When they follow the link "人脸信息存储数量和安全保护措施"
    And they fill in "f-retention_period_days" with "180"
    And they press "保存草稿"
    And they open the page of the filing
    And they press "提交备案"
    Then the page says "已提交待审查"
    When "Wang" records the filing
    And they open the page of the filing
    And they follow the link "查看回执"
    Then the page's title is "备案回执"
    And the receipt shows the filing number issued
    And the receipt's QR code is on the page
    When they follow the receipt's verification link, as anyone scanning its QR code would
    Then the page says "经核验，本回执由本平台出具"
    And the receipt shows the filing number issued
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A change filing starts from the filed record's data
    Given processor "西湖视觉有限公司" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "西湖视觉有限公司" has submitted a complete initial filing triggered 10 days ago
    And "Wang" has recorded the filing
    And a browser
    When the portal admin of "西湖视觉有限公司" logs in through the login page
    And they follow the link "新建备案"
    And they tick "kind-change"
    And they press "开始填写"
    Then the page's title is "个人信息处理者基本情况"
    And the field "f-processor_name" holds the recorded filing's "basic.processor_name"
    And the field "f-contact_phone" holds the recorded filing's "basic.contact_phone"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A processor answers an inspection's request for documents with a file
    Given "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Li" is an inspector at the provincial CAC office of 310000
    And "Chen" is an inspector at the provincial CAC office of 310000
    And processor "南湖支付有限公司" is registered in province 310000
    And "Zhao" has made the inspection plan "2026年第四季度双随机抽查" for 310000
    And "Zhao" has opened an inspection of "南湖支付有限公司" with "Li" and "Chen"
    And "Li" has notified the processor and started the inspection
    And a browser
    When "Li" requests "最近三个月的门禁日志" within 5 working days
    And the portal admin of "南湖支付有限公司" logs in through the login page
    And they follow the link "检查"
    Then the page says "最近三个月的门禁日志"
    And the page says "调取材料"
    When they answer the request with "日志已导出，见附件。" and the file "门禁日志.pdf"
    Then the page says "日志已导出，见附件。"
    And the page lists the file they gave
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
