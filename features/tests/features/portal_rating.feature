@browser @complaint @needs-mail
Feature: The complainant rates the handling in the portal (回访)
  Once the reply has reached the complainant, the status page asks how satisfied they are,
  as 12345 hotlines do: 满意, 基本满意 or 不满意, with a comment, once. The rating is recorded
  and audited, counted in the monthly statistics, and a 不满意 goes before the province's
  supervisors.

  Background:
    Given the platform is running with mail delivered over SMTP
    And "Zhou" is a complaint handler at the provincial CAC office of 310000
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And processor "Jing'an Smart Gate Ltd" is registered in province 310000

  Scenario: After the reply, a citizen rates the handling 不满意 without JavaScript, and the supervisors' list shows it
    Given "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    And a browser with JavaScript off
    When "Zhou" takes the complaint through to the result "经核查，该商场已设置提示标识。"
    And "Zhou" replies "经核查，该商场已设置提示标识。"
    And the worker sends the outbox
    And they look up the complaint on the status page with its receipt number and access code
    Then the page says "经核查，该商场已设置提示标识。"
    And the page says "您对本次办理是否满意？"
    When they rate the handling "不满意" saying "只是加了提示牌，仍然只能刷脸进入。"
    Then the page says "感谢您的评价，已记录。"
    And the page says "不满意"
    And the page does not say "提交评价"
    And "Zhao" finds the complaint among those rated dissatisfied
    When the worker sends the outbox
    Then the latest mail to "Zhao" has a subject containing "回访不满意"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
