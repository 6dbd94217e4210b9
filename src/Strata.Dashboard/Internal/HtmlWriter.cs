using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Strata.Dashboard.Internal;

/// <summary>
/// Builds a page. Markup comes only from <see cref="Markup"/>, which the pages call with string literals; every value
/// (from a job, a queue, a query string) goes through <c>Text</c> or an attribute method, which HTML-encode it.
/// </summary>
internal sealed class HtmlWriter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;
    private readonly StringBuilder _html = new(4096);

    /// <summary>Appends markup written in the dashboard's source: never a value.</summary>
    public HtmlWriter Markup(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Appends a value as text, encoded.</summary>
    public HtmlWriter Text(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _html.Append(Encoder.Encode(value));
        }

        return this;
    }

    /// <summary>Appends a number as text.</summary>
    public HtmlWriter Text(long value) => Text(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends <c> name="value"</c> with the value encoded.</summary>
    public HtmlWriter Attribute(string name, string? value)
    {
        _html.Append(' ').Append(name).Append("=\"");
        Text(value);
        _html.Append('"');
        return this;
    }

    /// <summary>Appends an element holding encoded text: <c>&lt;td&gt;value&lt;/td&gt;</c>.</summary>
    public HtmlWriter Element(string tag, string? value) => Markup("<").Markup(tag).Markup(">").Text(value).Markup("</").Markup(tag).Markup(">");

    /// <summary>Appends a link whose address and text are encoded.</summary>
    public HtmlWriter Link(string href, string? text) => Markup("<a").Attribute("href", href).Markup(">").Text(text).Markup("</a>");

    /// <summary>Appends a time as UTC ISO 8601 in a <c>time</c> element, or a dash.</summary>
    public HtmlWriter Time(DateTimeOffset? time)
    {
        if (time is not { } t)
        {
            return Markup("—");
        }

        var text = t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Markup("<time").Attribute("datetime", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)).Markup(">").Text(text).Markup("</time>");
    }

    /// <inheritdoc />
    public override string ToString() => _html.ToString();
}
