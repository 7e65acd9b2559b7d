@browser
Feature: Casework in a browser: a random draw, a joint inspection and a rectification order
  A supervisor draws targets and inspectors at random (双随机) for a plan, checks the draw
  against its record, opens an inspection of a drawn processor (inspected by the drawn
  inspectors), invites the province's public security to join it (会同), and takes it from
  the notice to a rectification order. The processor answers in the portal; the answer shows
  on the inspection's page.

  Background:
    Given the platform is running
    And "Tang" is a supervisor at the provincial CAC office of 330000
    And "Lu" is an inspector at the provincial CAC office of 330000
    And "Xu" is an inspector at the provincial CAC office of 330000
    And "Gao" is an inspector at the public security organ of 330000
    And processor "西子门禁有限公司" is registered in province 330000
    And "Tang" has made the inspection plan "2026年第四季度双随机抽查" for 330000

  Scenario: A supervisor makes a draw, opens an inspection from it with two inspectors and public security, and orders rectification; the processor's answer shows
    Given a browser
    When "Tang" signs in to casework through the login page
    And they follow the link "检查"
    Then the page's title is "监督检查"
    When they follow the link "新建双随机抽查"
    And they fill in "targets" with the pool size shown
    And they fill in "inspectors" with "2"
    And they press "抽取"
    Then the page's title is "双随机抽查记录"
    And the page says "fisher-yates/sha256-counter/v1"
    When they press "复核抽查结果"
    Then the page says "复核一致"
    When they press "立案检查" in the row of "西子门禁有限公司"
    Then the page shows the inspection of "西子门禁有限公司"
    And the page says "双随机抽查"
    When they press "邀请会同检查"
    Then the page says "已邀请会同检查"
    And the page says "公安机关"
    When they fill in "notice" with "12月10日上午现场检查，请准备门禁系统日志。"
    And they press "发送检查通知"
    And they press "开始检查"
    And they fill in "summary" with "人脸数据保存期限过长"
    And they fill in "problems" with "离职人员人脸数据未删除"
    And they press "记录检查结论"
    And they fill in "requirements" with "删除离职人员人脸数据"
    And they press "责令改正"
    Then the page says "责令改正通知已发出"
    When they follow the link "待办"
    Then the page says "西子门禁有限公司"
    When the portal admin of "西子门禁有限公司" logs in through the login page
    And they answer the request with "已删除离职人员人脸数据，附删除记录。" and the file "删除记录.pdf"
    And they open the casework page of the inspection
    Then the page says "已删除离职人员人脸数据，附删除记录。"
    And the page says "已报告整改"
    And the page lists the file they gave
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: Staff of another province see none of it
    Given "Zhou" is a supervisor at the provincial CAC office of 310000
    And "Tang" has opened an inspection of "西子门禁有限公司" with "Lu" and "Xu"
    And a browser
    When "Zhou" signs in to casework through the login page
    Then the page does not say "西子门禁有限公司"
    When they follow the link "检查"
    Then the page does not say "西子门禁有限公司"
    When they open the casework page of the inspection
    Then the page's title is "页面不存在"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
