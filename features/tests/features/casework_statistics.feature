@browser
Feature: Casework in a browser: the monthly statistics
  The statistics page draws the month's figures per province as charts on the server (SVG):
  filings by kind and by status, lateness, the working days taken to decide, and complaints by
  outcome, with Chinese labels and every number beside its bar and in a table. The numbers are
  those of the statistics workbook (xlsx) for the same month.

  Background:
    Given the platform is running
    And "Ma" is a reviewer at the provincial CAC office of 650000

  Scenario: The statistics page shows the month's charts and the same numbers as the export
    Given processor "天山门禁有限公司" is registered in province 650000
    And "天山门禁有限公司" has submitted a complete initial filing triggered 3 days ago
    When "Ma" records the filing
    Given processor "昆仑视觉有限公司" is registered in province 650000
    And "昆仑视觉有限公司" has submitted a complete initial filing triggered 3 days ago
    And a browser
    When "Ma" signs in to casework through the login page
    And they follow the link "统计"
    Then the page's title is "月度统计"
    And the page shows the charts "提交备案（按类型）", "备案状态", "逾期提交", "审结用时中位数" and "投诉举报（按结果）"
    And the page says "新疆维吾尔自治区"
    And the numbers on the page are those of the statistics workbook "Ma" exports
    When they follow the link "导出"
    Then the page says "审查队列"
    When they press "生成 xlsx 备案登记"
    Then the page says "已生成：共" within 20 seconds
    And the page says "下载 备案登记.xlsx"
    And no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard
