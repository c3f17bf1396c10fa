using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace DPoP.Http.Internal;

/// <summary>
/// The redirect rules of <see cref="SocketsHttpHandler"/> (RFC 9110 §15.4), applied by the DPoP handler so that
/// every hop gets a proof for its own URI: 300/301/302 turn POST into a GET without body, 303 turns everything but
/// GET and HEAD into a GET without body, 307/308 keep method and body, and every other method keeps its method and
/// body on 300/301/302; https never goes to http; only http(s) targets are followed. Tests hold this table against
/// the real SocketsHttpHandler, request by request.
/// </summary>
internal static class DPoPRedirect
{
    public static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently
        or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>
    /// Decides whether the redirect <paramref name="response"/> is followed and, when it is, rewrites
    /// <paramref name="request"/> for the next hop: target URI, GET without body where the rules say so, and no
    /// access token once the hop leaves the original origin (RFC 9449 §7, RFC 9110 §15.4).
    /// </summary>
    /// <returns>True with the next hop's URI, or false with the reason it is not followed.</returns>
    public static bool TryPrepareNextHop(
        HttpRequestMessage request,
        DPoPRequestState state,
        HttpResponseMessage response,
        int maxRedirects,
        [NotNullWhen(true)] out Uri? target,
        [NotNullWhen(false)] out string? refusal)
    {
        target = GetTarget(response, request.RequestUri!, out refusal);
        var toGet = ChangesToGet(response.StatusCode, request.Method);
        refusal ??= state.Redirects >= maxRedirects ? $"more than {maxRedirects} redirects"
            : !toGet && !state.CanResendBody(request) ? "the request body cannot be sent again"
            : null;
        if (refusal is not null || target is null)
        {
            target = null;
            refusal ??= "no target";
            return false;
        }

        state.Redirects++;
        request.RequestUri = target;
        if (toGet)
        {
            request.Method = HttpMethod.Get;
            request.Content = null;
            if (request.Headers.TransferEncodingChunked == true)
            {
                request.Headers.TransferEncodingChunked = false;
            }
        }

        // No access token, DPoP or other, leaves the origin it was meant for.
        if (!IsSameOrigin(target, state.OriginalUri))
        {
            state.Token = null;
            request.Headers.Authorization = null;
        }

        return true;
    }

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

        // A Location the Uri class cannot combine or that cannot be signed is refused, never thrown: the caller gets the 3xx.
        if (!location.IsAbsoluteUri && !Uri.TryCreate(requestUri, location, out location))
        {
            refusal = "the Location header is not a usable URI";
            return null;
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
        if (location.Fragment.Length == 0 && requestUri.Fragment.Length != 0 &&
            !Uri.TryCreate(location.GetLeftPart(UriPartial.Query) + requestUri.Fragment, UriKind.Absolute, out location))
        {
            refusal = "the Location header is not a usable URI";
            return null;
        }

        refusal = SignableProblem(location);
        return refusal is null ? location : null;
    }

    /// <summary>
    /// Why a proof cannot name <paramref name="target"/>, or null when it can: the rules of a request URI, and a host
    /// that IDNA can map. <see cref="Uri"/> accepts hosts that IDNA refuses (a leading combining mark, a joiner out of
    /// context; under invariant globalization a bidi-rule failure such as <c>\u05D0b</c>) and throws
    /// <see cref="UriFormatException"/> only when <see cref="Uri.IdnHost"/> is read, which htu, the origin and the
    /// transport all do.
    /// </summary>
    public static string? SignableProblem(Uri target)
    {
        try
        {
            DPoPTargetUri.Validate(target, nameof(target));
            _ = target.IdnHost;
            return null;
        }
        catch (ArgumentException)
        {
            return "the target cannot be named in a proof";
        }
        catch (UriFormatException)
        {
            return "the target's host has no IDNA (punycode) form";
        }
    }

    /// <summary>Whether the next hop is sent as GET without a body.</summary>
    public static bool ChangesToGet(HttpStatusCode status, HttpMethod method) => status switch
    {
        // HttpMethod compares case-insensitively, as the transport does when it normalizes "post" to POST.
        HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found => method == HttpMethod.Post,
        HttpStatusCode.SeeOther => method != HttpMethod.Get && method != HttpMethod.Head,
        _ => false,
    };

    /// <summary>Same origin (RFC 6454): scheme, host and port.</summary>
    public static bool IsSameOrigin(Uri a, Uri b) => DPoPOrigin.Of(a) == DPoPOrigin.Of(b);
}
