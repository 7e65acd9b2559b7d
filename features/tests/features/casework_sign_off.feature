@browser
Feature: Casework in a browser: a resubmitted filing, its changes, and the supervisor's sign-off
  Jiangsu's office (320000) has a supervisor sign off each reviewer's decision before it takes
  effect (filing.sign_off_provinces). The reviewer finds the filings resubmitted after a
  return on the workbench, reads the risk flags and what changed, and proposes a decision;
  the supervisor approves it on the same page.

  Background:
    Given the platform is running where the office of 320000 signs off its reviewers' decisions
    And "Sun" is a reviewer at the provincial CAC office of 320000
    And "Qiao" is a supervisor at the provincial CAC office of 320000

  Scenario: A reviewer filters to resubmitted filings, reads the risk flags and the diff, and records one; the supervisor signs off
    Given processor "金陵门禁有限公司" is registered in province 320000
    And "金陵门禁有限公司" has submitted a complete initial filing triggered 3 days ago
    When "Sun" returns the filing for correction with these reasons:
      | message                |
      | 联系人姓名有误，请更正 |
    And "Qiao" approves the proposed decision
    And "金陵门禁有限公司" sets basic.contact_person to 李四 in the form, sending the current version
    And "金陵门禁有限公司" submits the filing
    Given a browser
    When "Sun" signs in to casework through the login page
    And they tick "resubmitted"
    And they press "筛选"
    And they follow the link "金陵门禁有限公司"
    Then the page says "风险提示"
    And the page says "第2版与第1版相比的变化"
    And the page says "李四"
    And the page says "联系人姓名有误，请更正"
    When they press "予以备案"
    Then the page says "审查意见已提出，待审批人审批后生效"
    And the page offers no button "批准"
    When they press "退出登录"
    And "Qiao" signs in to casework through the login page
    And they open the casework page of the filing
    Then the page says "待审批的审查意见"
    When they press "批准"
    Then the page says "已备案"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
