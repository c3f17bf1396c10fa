namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Reads an endpoint URL from a provider's discovery document, which the app does not control: only an absolute
/// http or https URI without user information is one (RFC 8414 §2), the rule <see cref="DPoPTokenClientOptions"/>
/// applies to its endpoints. Anything else — a relative path (which <see cref="Uri"/> on Linux reads as a
/// <c>file://</c> URI), another scheme, user information — is no endpoint.
/// </summary>
internal static class DiscoveredEndpoint
{
    public static Uri? TryRead(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        uri.UserInfo.Length == 0
            ? uri
            : null;
}
