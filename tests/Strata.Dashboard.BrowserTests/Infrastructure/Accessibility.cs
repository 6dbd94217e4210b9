using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>axe-core on the page as it is now: any violation of impact serious or critical fails, printed readably.</summary>
public static class Accessibility
{
    private static readonly string[] Failing = ["serious", "critical"];

    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        var violations = result.Violations.Where(v => Failing.Contains(v.Impact, StringComparer.OrdinalIgnoreCase)).ToList();
        if (violations.Count > 0)
        {
            throw new Xunit.Sdk.XunitException(Describe(page.Url, violations));
        }
    }

    internal static string Describe(string url, IEnumerable<AxeResultItem> violations)
    {
        var text = new StringBuilder($"axe found serious or critical accessibility violations on {url}:");
        foreach (var violation in violations)
        {
            text.Append("\n- [").Append(violation.Impact).Append("] ").Append(violation.Id).Append(": ").Append(violation.Help)
                .Append(" (").Append(violation.HelpUrl).Append(')');
            foreach (var node in violation.Nodes.Take(5))
            {
                text.Append("\n    at ").Append(string.Join(" ", node.Target?.ToString() ?? "")).Append("  ").Append(node.Html);
                foreach (var check in (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []))
                {
                    text.Append("\n      ").Append(check.Message);
                }
            }
        }

        return text.ToString();
    }
}
