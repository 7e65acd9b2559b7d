@browser @in-process
Feature: Casework in a browser: a second factor for admins and supervisors
  Where the platform asks it (auth.second_factor; in production at least of admins and
  supervisors), a right password is not enough: a member of staff enrols an authenticator app
  at their first login (a QR code, the secret shown once, ten recovery codes shown once) and
  from then on enters its code, or a recovery code when the phone is lost. These scenarios
  configure the platform, so they run in-process.

  Background:
    Given the platform is running with a second factor for admins and supervisors
    And "Tang" is a supervisor at the provincial CAC office of 330000 who has not logged in yet

  Scenario: A supervisor enrols an authenticator app at first login, then logs in with its codes
    Given a browser
    When "Tang" signs in to casework through the login page
    Then the page's title is "动态口令验证"
    And the page shows a QR code and the secret, which their authenticator app keeps
    When they enter the code their authenticator app shows now
    Then the page's title is "恢复码"
    And the page says "动态口令已绑定，您已登录"
    And the page lists 10 recovery codes, which they keep
    When they follow the link "我已保存恢复码，继续"
    Then the page's title is "待办"
    When they press "退出登录"
    And "Tang" signs in to casework through the login page
    Then the page's title is "动态口令验证"
    When they fill in "code" with "000000"
    And they press "验证"
    Then the page says "动态口令不正确或已使用过"
    When they enter one of their recovery codes
    Then the page's title is "待办"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard

  Scenario: An agency admin resets the second factor of a member who lost their phone
    Given "Shen" is an admin at the provincial CAC office of 330000 who has not logged in yet
    And a browser
    When "Tang" signs in to casework through the login page
    And the page shows a QR code and the secret, which their authenticator app keeps
    And they enter the code their authenticator app shows now
    And they follow the link "我已保存恢复码，继续"
    And they press "退出登录"
    And "Shen" signs in to casework through the login page
    And the page shows a QR code and the secret, which their authenticator app keeps
    And they enter the code their authenticator app shows now
    And they follow the link "我已保存恢复码，继续"
    And they follow the link "工作人员"
    And they press "重置动态口令" in the row of the member "Tang"
    Then the page says "已重置该工作人员的动态口令"
    When they press "退出登录"
    And "Tang" signs in to casework through the login page
    Then the page's title is "动态口令验证"
    And the page shows a QR code and the secret, which their authenticator app keeps
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
