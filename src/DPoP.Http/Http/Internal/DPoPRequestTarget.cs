namespace DPoP.Http.Internal;

/// <summary>
/// The target URI a server reconstructs for a request (RFC 9110 §7.1), which is what <c>htu</c> must name: the
/// request URI, except that an explicit <c>Host</c> header replaces its authority — SocketsHttpHandler sends that
/// header (HTTP/1.1 <c>Host</c>, HTTP/2 <c>:authority</c>) instead of the URI's host and port, on every hop.
/// </summary>
internal static class DPoPRequestTarget
{
    /// <summary>The URI to sign for <paramref name="request"/>, whose URI has been validated.</summary>
    /// <exception cref="InvalidOperationException">The request's <c>Host</c> header is not a valid <c>host[:port]</c>.</exception>
    public static Uri Of(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;

        // NonValidated: the raw value, as the transport writes it, and no parsing on the usual request that has none.
        if (!request.Headers.NonValidated.TryGetValues("Host", out var values))
        {
            return uri;
        }

        string? host = null;
        foreach (var value in values)
        {
            if (host is not null)
            {
                throw new InvalidOperationException("The request has several Host header values; the DPoP proof cannot name the target URI the server will see.");
            }

            host = value;
        }

        return string.IsNullOrEmpty(host) ? uri : WithAuthority(uri, host);
    }

    private static Uri WithAuthority(Uri uri, string host)
    {
        // Parsed with the request's scheme, so an omitted port means that scheme's default port, as on the server.
        if (Uri.TryCreate($"{uri.Scheme}://{host}{uri.PathAndQuery}", UriKind.Absolute, out var target) &&
            target.UserInfo.Length == 0 &&
            string.Equals(target.AbsolutePath, uri.AbsolutePath, StringComparison.Ordinal) &&
            string.Equals(target.Query, uri.Query, StringComparison.Ordinal) &&
            target.Host.Length != 0)
        {
            return target;
        }

        throw new InvalidOperationException("The request's Host header is not a valid host[:port]; the DPoP proof cannot name the target URI the server will see.");
    }
}
