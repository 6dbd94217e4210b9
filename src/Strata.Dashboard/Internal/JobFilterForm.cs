using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Strata.Jobs;

namespace Strata.Dashboard.Internal;

/// <summary>The job filter of the Jobs and Dead letters pages: read from a query string or form, written back as a form and as links.</summary>
internal sealed class JobFilterForm
{
    private static readonly string[] Fields = ["state", "queue", "type", "owner", "after", "before"];

    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private JobFilterForm(Func<string, string?> read, bool withState)
    {
        foreach (var field in Fields)
        {
            if (field == "state" && !withState)
            {
                continue;
            }

            var value = read(field)?.Trim();
            _values[field] = string.IsNullOrEmpty(value) ? null : value;
        }

        Filter = new JobFilter
        {
            State = ParseState(_values.GetValueOrDefault("state")),
            Queue = _values["queue"],
            JobType = _values["type"],
            Owner = _values["owner"],
            CreatedAfter = ParseTime("after", _values["after"]),
            CreatedBefore = ParseTime("before", _values["before"]),
        };
    }

    public JobFilter Filter { get; }

    /// <summary>The fields that are set, to carry the filter into a link or a hidden form field.</summary>
    public IEnumerable<KeyValuePair<string, string?>> SetFields => _values.Where(v => v.Value is not null);

    /// <summary>Reads the filter from the query string; <paramref name="withState"/> false for the dead-letter page (always Dead).</summary>
    /// <exception cref="DashboardInputException">A state or time that does not parse.</exception>
    public static JobFilterForm FromQuery(IQueryCollection query, bool withState = true) =>
        new(field => query.TryGetValue(field, out var v) ? v.ToString() : null, withState);

    /// <summary>Reads the filter from a posted form.</summary>
    public static JobFilterForm FromForm(IFormCollection form, bool withState = true) =>
        new(field => form.TryGetValue(field, out var v) ? v.ToString() : null, withState);

    /// <summary>The query string of this filter plus <paramref name="extra"/>, starting with '?' (or empty).</summary>
    public string QueryString(params (string Name, string? Value)[] extra)
    {
        var builder = new QueryBuilder();
        foreach (var (name, value) in SetFields.Select(f => (f.Key, f.Value)).Concat(extra))
        {
            if (value is not null)
            {
                builder.Add(name, value);
            }
        }

        return builder.ToQueryString().Value ?? "";
    }

    /// <summary>Writes the GET filter form that submits to <paramref name="action"/>.</summary>
    public void Write(HtmlWriter html, string action)
    {
        html.Markup("<form method=\"get\" class=\"filter\" role=\"search\"").Attribute("action", action).Markup(">");
        if (_values.ContainsKey("state"))
        {
            html.Markup("<label for=\"f-state\">State<select id=\"f-state\" name=\"state\"><option value=\"\">any</option>");
            foreach (var state in Enum.GetNames<JobState>())
            {
                html.Markup("<option").Attribute("value", state);
                if (string.Equals(state, _values["state"], StringComparison.OrdinalIgnoreCase))
                {
                    html.Markup(" selected");
                }

                html.Markup(">").Text(state).Markup("</option>");
            }

            html.Markup("</select></label>");
        }

        Input(html, "queue", "Queue", "text");
        Input(html, "type", "Job type", "text");
        Input(html, "owner", "Owner", "text");
        Input(html, "after", "Created after (UTC)", "datetime-local");
        Input(html, "before", "Created before (UTC)", "datetime-local");
        html.Markup("<button type=\"submit\">Filter</button></form>");
    }

    private void Input(HtmlWriter html, string name, string label, string type) =>
        html.Markup("<label").Attribute("for", "f-" + name).Markup(">").Text(label)
            .Markup("<input").Attribute("id", "f-" + name).Attribute("name", name).Attribute("type", type)
            .Attribute("value", _values[name]).Markup("></label>");

    private static JobState? ParseState(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!char.IsLetter(value[0]) || !Enum.TryParse<JobState>(value, ignoreCase: true, out var state))
        {
            throw new DashboardInputException($"Unknown state '{value}': use one of {string.Join(", ", Enum.GetNames<JobState>())}.");
        }

        return state;
    }

    private static DateTimeOffset? ParseTime(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new DashboardInputException($"'{value}' in '{field}' is not a date and time: use ISO 8601, for example 2026-01-31T14:00 (UTC).");
        }

        return time;
    }
}
