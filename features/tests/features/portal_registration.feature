@browser @needs-mail @registration
Feature: Registration that proves something, in the portal
  Anyone can type any USCC into the registration page. So a new registration counts only once
  its admin confirms the address from the mailed link: until then the account cannot log in
  and the organisation is pending. A second registration of a code already held makes no
  account: it reaches the reviewers of the province as a dispute, and the mail tells the
  claimant so. The page answers every registration alike.

  Background:
    Given the platform is running with mail delivered over SMTP
    And "Wang" is a reviewer at the provincial CAC office of 310000

  Scenario: A new processor confirms the address from the mail and only then logs in; another registration of the same USCC reaches the reviewers as a dispute
    Given a browser
    When they register "北辰安防科技有限公司" through the registration page, leaving the address to confirm
    And they log in through the login page as the admin of "北辰安防科技有限公司"
    Then the page says "请先打开注册时发到该邮箱的链接确认邮箱"
    When the worker sends the outbox
    And they open the link in the latest mail to "北辰安防科技有限公司"
    Then the page's title is "确认注册邮箱"
    When they press "确认邮箱"
    Then the page says "邮箱已确认"
    When they log in through the login page as the admin of "北辰安防科技有限公司"
    Then the page's title is "我的备案"
    When they press "退出登录"
    And they register "南辰安防有限公司" through the registration page with the USCC of "北辰安防科技有限公司"
    And the worker sends the outbox
    Then the latest mail to "南辰安防有限公司" has a subject containing "注册已转交审核"
    When "Wang" lists the open registration disputes
    Then the list holds a claim by "南辰安防有限公司" on the USCC of "北辰安防科技有限公司"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
