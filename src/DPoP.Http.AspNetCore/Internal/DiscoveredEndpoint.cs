using DPoP.Http.Internal;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Reads an endpoint URL from a provider's discovery document, which the app does not control: only an absolute
/// http or https URI without user information whose host .NET can put on the wire is one (RFC 8414 §2) — the rule
/// <see cref="DPoPTokenClientOptions"/> applies to its endpoints (<see cref="DPoPTargetUri.Problem(Uri)"/>). Anything
/// else — a relative path (which <see cref="Uri"/> on Linux reads as a <c>file://</c> URI), another scheme, user
/// information, a host without an IDNA form — is no endpoint.
/// </summary>
internal static class DiscoveredEndpoint
{
    public static Uri? TryRead(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && DPoPTargetUri.Problem(uri) is null ? uri : null;
}
