@browser
Feature: Casework in a browser: imports
  A complaint handler keys in the hotline and letter log from the template on the imports
  page. The upload is checked first (a dry run stores nothing); one bad row imports nothing
  and the page offers the error workbook with the problem beside the row; the corrected file
  imports whole.

  Background:
    Given the platform is running
    And "Zhou" is a complaint handler at the provincial CAC office of 310000

  Scenario: An import with one bad row shows the error workbook; the corrected file imports
    Given a browser
    When "Zhou" signs in to casework through the login page
    And they follow the link "导入"
    Then the page's title is "导入"
    And the page says "下载投诉举报登记（电话、来信、来访、转办）模板"
    When they choose a hotline log with these rows for "file-complaints"
      | 受理渠道 | 被投诉单位名称  | 所在省份 | 投诉举报内容         | 是否匿名 |
      | 电话     | 某物业 {unique} | 上海市   | 门禁只能刷脸。       | 是       |
      | 来信     | 某酒店 {unique} | 火星     | 前台强制刷脸登记。   | 是       |
    And they press "检查（不导入）"
    Then the page says "发现 2 个问题，未导入任何数据"
    And the page says "不是下拉列表中的可选值"
    When they download the error workbook the page offers
    Then the error workbook holds these cells:
      | row | column         | value           |
      | 2   | 错误           |                 |
      | 3   | 所在省份       | 火星            |
      | 3   | 错误           | 所在省份        |
    When they choose a hotline log with these rows for "file-complaints"
      | 受理渠道 | 被投诉单位名称  | 所在省份 | 投诉举报内容         | 是否匿名 |
      | 电话     | 某物业 {unique} | 上海市   | 门禁只能刷脸。       | 是       |
      | 来信     | 某酒店 {unique} | 上海市   | 前台强制刷脸登记。   | 是       |
    And they press "检查（不导入）"
    Then the page says "检查通过：共 2 行"
    When they choose a hotline log with these rows for "file-complaints"
      | 受理渠道 | 被投诉单位名称  | 所在省份 | 投诉举报内容         | 是否匿名 |
      | 电话     | 某物业 {unique} | 上海市   | 门禁只能刷脸。       | 是       |
      | 来信     | 某酒店 {unique} | 上海市   | 前台强制刷脸登记。   | 是       |
    And they press "导入"
    Then the page says "已导入 2 行"
    When they follow the link "投诉举报"
    Then the page says "某酒店"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
