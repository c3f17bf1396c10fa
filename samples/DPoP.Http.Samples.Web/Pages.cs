using System.Security.Claims;
using System.Text;
using static System.Net.WebUtility;

namespace DPoP.Http.Samples.Web;

/// <summary>The sample's two pages, as plain HTML.</summary>
internal static class Pages
{
    public static string Home(ClaimsPrincipal user) => Layout(user, user.Identity?.IsAuthenticated == true
        ? """<p><a id="call-link" href="/call">Call the API as you</a></p>"""
        : """<p>Sign in at the OpenID provider; the code and every token are bound to a DPoP key made for your session.</p><p><a id="signin-link" href="/signin">Sign in</a></p>""");

    public static string Call(ClaimsPrincipal user, ApiCall call)
    {
        var body = new StringBuilder()
            .Append("<h2>").Append(HtmlEncode(call.Request)).Append("</h2>")
            .Append("<p>Status: <span id=\"api-status\">").Append(call.Status).Append("</span>, sent with <code id=\"auth-scheme\">Authorization: ")
            .Append(HtmlEncode(call.AuthorizationScheme ?? "(none)")).Append(" …</code></p>")
            .Append("<h3>Answer</h3><pre id=\"api-body\">").Append(HtmlEncode(call.Body)).Append("</pre>")
            .Append("<h3>DPoP proof: header</h3><pre id=\"proof-header\">").Append(HtmlEncode(call.ProofHeader ?? "(none)")).Append("</pre>")
            .Append("<h3>DPoP proof: claims</h3><pre id=\"proof-claims\">").Append(HtmlEncode(call.ProofClaims ?? "(none)")).Append("</pre>")
            .Append("<p><a id=\"call-link\" href=\"/call\">Call again</a> · <a href=\"/\">Home</a></p>");
        return Layout(user, body.ToString());
    }

    private static string Layout(ClaimsPrincipal user, string content)
    {
        var signedIn = user.Identity?.IsAuthenticated == true;
        var who = signedIn
            ? $"""Signed in as <b id="user-name">{HtmlEncode(user.Identity!.Name ?? user.FindFirst("sub")?.Value ?? "?")}</b> <form method="post" action="/signout" style="display:inline"><button id="signout-button" type="submit">Sign out</button></form>"""
            : """<span id="signed-out">Not signed in</span>""";
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>DPoP.Http web sample</title>
            <style>body{"{"}font-family:sans-serif;max-width:50rem;margin:2rem auto{"}"} pre{"{"}background:#f4f4f4;padding:.5rem;overflow:auto{"}"}</style></head>
            <body><h1>DPoP.Http web sample</h1><p>{who}</p>{content}</body></html>
            """;
    }
}
