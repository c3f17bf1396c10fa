using System.Net;

namespace DPoP.Http;

/// <summary>
/// The redirect rules of <see cref="SocketsHttpHandler"/> (RFC 9110 §15.4), applied by the DPoP handler so that
/// every hop gets a proof for its own URI: 301/302 turn POST into GET, 303 turns everything but HEAD into GET,
/// 300/307/308 keep method and body; https never goes to http; only http(s) targets are followed.
/// </summary>
internal static class DPoPRedirect
{
    public static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently
        or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The absolute target of a redirect response, or a reason why it is not followed.</summary>
    public static Uri? GetTarget(HttpResponseMessage response, Uri requestUri, out string? refusal)
    {
        refusal = null;
        var location = response.Headers.Location;
        if (location is null)
        {
            refusal = "no Location header";
            return null;
        }

        if (!location.IsAbsoluteUri)
        {
            location = new Uri(requestUri, location);
        }

        if (!DPoPTargetUri.IsHttpScheme(location))
        {
            refusal = "the target is not http or https";
            return null;
        }

        if (requestUri.Scheme == Uri.UriSchemeHttps && location.Scheme == Uri.UriSchemeHttp)
        {
            refusal = "it would downgrade https to http";
            return null;
        }

        if (location.UserInfo.Length != 0)
        {
            refusal = "the target carries user information";
            return null;
        }

        // RFC 9110 §10.2.2: a Location without a fragment inherits the original one.
        if (location.Fragment.Length == 0 && requestUri.Fragment.Length != 0)
        {
            location = new UriBuilder(location) { Fragment = requestUri.Fragment[1..] }.Uri;
        }

        return location;
    }

    /// <summary>Whether the next hop is sent as GET without a body.</summary>
    public static bool ChangesToGet(HttpStatusCode status, HttpMethod method) => status switch
    {
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found => method == HttpMethod.Post,
        HttpStatusCode.SeeOther => method != HttpMethod.Get && method != HttpMethod.Head,
        _ => false,
    };

    /// <summary>Same origin (RFC 6454): scheme, host and port.</summary>
    public static bool IsSameOrigin(Uri a, Uri b) => DPoPOrigin.Of(a) == DPoPOrigin.Of(b);
}
