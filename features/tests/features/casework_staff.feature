@browser
Feature: Casework in a browser: an agency admin's staff accounts
  An agency's admin lists its staff and adds a member of staff with a first password, which its
  holder must change at first login. Only admins see the page in their menu.

  Background:
    Given the platform is running
    And "Shen" is an admin at the provincial CAC office of 330000
    And "Tang" is a supervisor at the provincial CAC office of 330000

  Scenario: An agency admin adds a member of staff, who is to change the password at first login
    Given a browser
    When "Tang" signs in to casework through the login page
    Then the menu does not offer "工作人员"
    When they press "退出登录"
    And "Shen" signs in to casework through the login page
    And they follow the link "工作人员"
    Then the page's title is "工作人员"
    When they fill in "display_name" with "新审查员"
    And they fill in "email" with "new-reviewer-{unique}@cac.example"
    And they choose "reviewer" for "role"
    And they fill in "password" with "first-password-2026"
    And they press "添加"
    Then the page says "账户已添加"
    And the page says "new-reviewer-{unique}@cac.example"
    And the page says "待首次登录改密"
    When they fill in "display_name" with "重复的审查员"
    And they fill in "email" with "new-reviewer-{unique}@cac.example"
    And they fill in "password" with "first-password-2026"
    And they press "添加"
    Then the page says "请更正以下问题"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
