@browser
Feature: Casework in a browser: the workbench and the filing page
  Regulator staff sign in to casework with their own accounts. The workbench (待办) lists the
  filing reviews they can act on in their provinces, nearest time limit first; the filing
  page shows the risk flags, every time limit with why its date, the form and its materials,
  and only the decisions the reviewer may take now. A decision that lost a race shows what
  changed, never a raw conflict.

  Background:
    Given the platform is running
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Li" is a reviewer at the provincial CAC office of 310000

  Scenario: A reviewer opens the workbench, opens a filing, reads its risk flags and time limits, and records it
    Given processor "东方门禁有限公司" is registered in province 310000
    And "东方门禁有限公司" has submitted a complete initial filing triggered 3 days ago
    And a browser
    When "Wang" signs in to casework through the login page
    Then the page's title is "待办"
    When they filter the workbench by the USCC of "东方门禁有限公司"
    And they follow the link "东方门禁有限公司"
    Then the page says "风险提示"
    And the page says "为什么是这一天"
    And the page says "备案内容"
    When they press "予以备案"
    Then the page says "审查决定已作出"
    And the page says "已备案"
    When they follow the link "审计记录"
    Then the page's title is "审计记录 · 备案"
    And the page says "链上位置"
    When they follow the link "已办"
    Then the page's title is "已办"
    And the page says "准予备案"
    When they search the registry for the USCC of "东方门禁有限公司"
    Then the page says "共 1 家"
    And the page says "东方门禁有限公司"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: Two reviewers open the same filing; the second one's decision shows that the first won
    Given processor "西湖视觉有限公司" is registered in province 310000
    And "西湖视觉有限公司" has submitted a complete initial filing triggered 3 days ago
    And a browser
    When "Wang" signs in to casework through the login page
    And they open the casework page of the filing
    And "Li" records the filing
    And they fill in "reasons" with "请补充个人信息保护影响评估报告"
    And they press "退回补正"
    Then the page says "此备案已被他人处理"
    And the page says "已备案"
    And the page says "请补充个人信息保护影响评估报告"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: A reviewer of another province sees none of it
    Given processor "南湖支付有限公司" is registered in province 310000
    And "南湖支付有限公司" has submitted a complete initial filing triggered 3 days ago
    And "Zhao" is a reviewer at the provincial CAC office of 440000
    And a browser
    When "Zhao" signs in to casework through the login page
    Then the page's title is "待办"
    When they filter the workbench by the USCC of "南湖支付有限公司"
    Then the page says "没有符合条件的待办事项"
    When they open the casework page of the filing
    Then the page's title is "页面不存在"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
