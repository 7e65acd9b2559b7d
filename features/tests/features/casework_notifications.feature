@browser
Feature: Casework in a browser: notifications between agencies
  A provincial CAC office sends a notification (通报) to the province's public security from
  casework's pages; the public security inspector finds it among those received, acknowledges
  it (签收) and answers with feedback (反馈); the sender sees both.

  Background:
    Given the platform is running
    And "Tang" is a supervisor at the provincial CAC office of 330000
    And "Gao" is an inspector at the public security organ of 330000

  Scenario: A notification is sent, acknowledged and answered in the browser
    Given a browser
    When "Tang" signs in to casework through the login page
    And they follow the link "通报"
    And they follow the link "发出通报"
    And they tick the agency of "Gao"
    And they fill in "title" with "某门禁公司违规采集人脸线索 {unique}"
    And they fill in "body" with "群众反映该公司强制刷脸，请协查。"
    And they tick "ack_required"
    And they press "发出"
    Then the page says "通报已发出"
    When they press "退出登录"
    And "Gao" signs in to casework through the login page
    And they follow the link "通报"
    And they follow the link "某门禁公司违规采集人脸线索 {unique}"
    Then the page says "待签收"
    When they press "签收"
    Then the page says "已签收"
    When they fill in "feedback" with "已立案核查。"
    And they press "反馈"
    Then the page says "已反馈"
    And the page says "已立案核查。"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
