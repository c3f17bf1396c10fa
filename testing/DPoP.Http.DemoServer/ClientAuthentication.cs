using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>The outcome of client authentication at the token endpoint.</summary>
/// <param name="ClientId">The authenticated client, or null when authentication failed.</param>
/// <param name="Error">The OAuth error code when it failed (<c>invalid_client</c> or <c>invalid_request</c>), else empty.</param>
/// <param name="Detail">Why it failed, else empty.</param>
/// <param name="UsedBasic">Whether the client tried HTTP Basic (then a 401 carries <c>WWW-Authenticate: Basic</c>, RFC 6749 §5.2).</param>
internal sealed record ClientAuthentication(string? ClientId, string Error, string Detail, bool UsedBasic)
{
    public bool Succeeded => ClientId is not null;

    /// <summary>
    /// The status a failed authentication is answered with (401 for <c>invalid_client</c>, else 400), adding
    /// <c>WWW-Authenticate: Basic</c> to a 401 when the client tried HTTP Basic (RFC 6749 §5.2).
    /// </summary>
    public int PrepareRejection(HttpResponse response)
    {
        if (Error != "invalid_client")
        {
            return StatusCodes.Status400BadRequest;
        }

        if (UsedBasic)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"demo\"";
        }

        return StatusCodes.Status401Unauthorized;
    }
}
