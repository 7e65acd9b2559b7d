@browser @login @needs-mail
Feature: Passwords a processor can manage, in the portal
  A forgotten password is reset by a link mailed to the account's address: the page answers
  the same whether or not the address has an account, the link works once and for a while
  only, and setting the new password ends every session of the account. A signed-in user can
  change the password (every other session ends) and log out everywhere.

  Background:
    Given the platform is running with mail delivered over SMTP
    And processor "北辰安防科技有限公司" is registered in province 310000

  Scenario: A processor resets a forgotten password from the mailed link; the old sessions end
    Given a browser
    When the portal admin of "北辰安防科技有限公司" logs in through the login page
    Then the page's title is "我的备案"
    When they open the portal page "/login"
    And they follow the link "忘记密码？"
    And they fill in "email" with "nobody-here@example.com"
    And they press "发送链接"
    Then the page says "如果该邮箱有账户"
    When they open the portal page "/password-reset"
    And they fill in "email" with the email of "北辰安防科技有限公司"
    And they press "发送链接"
    Then the page says "如果该邮箱有账户"
    When the worker sends the outbox
    And they open the link in the latest mail to "北辰安防科技有限公司"
    And they fill in "new_password" with "a-new-password-2026"
    And they press "设置新密码"
    Then the page says "新密码已设置"
    And the browser's session has ended
    And the API session of "北辰安防科技有限公司" has ended
    When they log in through the login page as the admin of "北辰安防科技有限公司" with the password "a-new-password-2026"
    Then the page's title is "我的备案"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
