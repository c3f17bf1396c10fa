using System.Text;
using System.Text.RegularExpressions;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>The few HTML pages of the demo server: sign-in, form_post responses, errors and signed out.</summary>
internal static partial class HtmlPages
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string Encode(string value) => Encoder.Encode(value);

    /// <summary>The sign-in page: one button per user, each a form that completes the pending request.</summary>
    public static Task WriteSignInAsync(HttpResponse response, string clientId, string requestId, IReadOnlyList<DemoUser> users)
    {
        var body = new StringBuilder();
        body.Append("<h1>Demo sign-in</h1><p>Sign in to <b>").Append(Encode(clientId)).Append("</b>; no password needed.</p>");
        foreach (var user in users)
        {
            body.Append("<form method=\"post\" action=\"/connect/authorize/signin\" id=\"signin-").Append(Encode(user.Subject)).Append("\">")
                .Append("<input type=\"hidden\" name=\"request_id\" value=\"").Append(Encode(requestId)).Append("\">")
                .Append("<button type=\"submit\" name=\"user\" value=\"").Append(Encode(user.Subject)).Append("\" id=\"signin-button-").Append(Encode(user.Subject)).Append("\">")
                .Append("Sign in as ").Append(Encode(user.Name)).Append("</button></form>");
        }

        return WriteAsync(response, StatusCodes.Status200OK, "Demo sign-in", body.ToString());
    }

    /// <summary>
    /// OAuth 2.0 Form Post Response Mode: a form that posts the response parameters to the redirect URI, submitted
    /// by script and, without script, by a button.
    /// </summary>
    public static Task WriteFormPostAsync(HttpResponse response, string redirectUri, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var body = new StringBuilder();
        body.Append("<form method=\"post\" id=\"response\" action=\"").Append(Encode(redirectUri)).Append("\">");
        foreach (var (name, value) in parameters)
        {
            body.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        body.Append("<noscript><button type=\"submit\">Continue</button></noscript></form>")
            .Append("<script>document.getElementById('response').submit();</script>");
        return WriteAsync(response, StatusCodes.Status200OK, "Continue", body.ToString());
    }

    /// <summary>An error the user sees because it cannot be sent to a trusted redirect URI.</summary>
    public static Task WriteErrorAsync(HttpResponse response, int statusCode, string error, string description) =>
        WriteAsync(response, statusCode, "Sign-in error", $"<h1>Sign-in error</h1><p id=\"error\">{Encode(error)}</p><p id=\"error_description\">{Encode(description)}</p>");

    public static Task WriteAsync(HttpResponse response, int statusCode, string title, string bodyHtml)
    {
        var html = $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head><body>{bodyHtml}</body></html>";
        var bytes = Encoding.UTF8.GetBytes(html);
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        // Codes travel in URLs and forms: keep them out of Referer headers and other sites' frames.
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["X-Frame-Options"] = "DENY";
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, response.HttpContext.RequestAborted).AsTask();
    }

    /// <summary>A form as this class writes it: attributes, then inputs and buttons.</summary>
    [GeneratedRegex("<form (?<attributes>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    internal static partial Regex FormPattern();

    /// <summary>An input or button with a name and a value, as this class writes them (name before value).</summary>
    [GeneratedRegex("<(?:input|button) [^>]*?name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\"", RegexOptions.CultureInvariant)]
    internal static partial Regex NamedValuePattern();
}
