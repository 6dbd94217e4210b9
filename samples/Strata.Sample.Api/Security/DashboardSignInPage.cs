using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Strata.Sample.Api.Security;

/// <summary>The sign-in form: one password field for the key, the antiforgery token, and a sign-out button when signed in.</summary>
internal static class DashboardSignInPage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24}main{max-width:36rem;margin:3rem auto;padding:0 1.5rem}"
        + "label{display:block;font-weight:600;margin:1rem 0 .25rem}input{font:inherit;width:100%;padding:.35rem .5rem}"
        + "button{font:inherit;margin-top:1rem;padding:.35rem .9rem;border:1px solid #0b5cad;background:#0b5cad;color:#fff;border-radius:4px}"
        + ".error{color:#a40e26;font-weight:600}code{background:#f6f8fa;padding:0 .25rem}";

    /// <summary>The page's Content-Security-Policy: nothing but its own inline style (by hash) and posts to itself.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static string Render(AntiforgeryTokenSet tokens, string returnUrl, string? message, string? signedInAs)
    {
        var html = HtmlEncoder.Default;
        var token = $"<input type=\"hidden\" name=\"{html.Encode(tokens.FormFieldName)}\" value=\"{html.Encode(tokens.RequestToken ?? "")}\">";
        var builder = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Sign in · Strata dashboard</title><style>").Append(Style).Append("</style></head><body><main>")
            .Append("<h1>Sign in to the Strata dashboard</h1>");
        if (message is not null)
        {
            builder.Append("<p class=\"error\" role=\"alert\">").Append(html.Encode(message)).Append("</p>");
        }

        if (signedInAs is not null)
        {
            builder.Append("<p>Signed in with key <code>").Append(html.Encode(signedInAs)).Append("</code>. <a href=\"")
                .Append(SampleDashboard.Path).Append("\">Open the dashboard</a>.</p>")
                .Append("<form method=\"post\" action=\"").Append(DashboardSignIn.SignOutPath).Append("\">").Append(token)
                .Append("<button type=\"submit\">Sign out</button></form>");
        }

        builder.Append("<form method=\"post\" action=\"").Append(DashboardSignIn.LoginPath).Append("\">").Append(token)
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(html.Encode(returnUrl)).Append("\">")
            .Append("<label for=\"key\">Admin API key</label>")
            .Append("<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" required>")
            .Append("<button type=\"submit\">Sign in</button></form>")
            .Append("<p>Paste a key with the <code>admin</code> scope; it is checked once and not kept. Create one with ")
            .Append("<code>keys create --name ops --scopes admin</code>. The sign-in lasts ")
            .Append((int)DashboardSignIn.Lifetime.TotalMinutes).Append(" minutes.</p></main></body></html>");
        return builder.ToString();
    }
}
