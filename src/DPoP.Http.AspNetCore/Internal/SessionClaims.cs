using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The claim that makes a session reachable from its principal (a circuit's user, a principal captured for
/// background work), not only from the request's cookie: the session id, protected with Data Protection under a
/// purpose naming the scheme, so a principal shown or copied elsewhere never reveals it; never a token.
/// </summary>
internal sealed class SessionClaims(IDataProtectionProvider dataProtection)
{
    private const string Purpose = "DPoP.Http.AspNetCore.SessionClaim.v1";

    public static string ClaimType(string scheme) => $"dpop_session.{scheme}";

    public Claim Create(string scheme, string sessionId) =>
        new(ClaimType(scheme), Base64UrlTextEncoder.Encode(Protector(scheme).Protect(Encoding.UTF8.GetBytes(sessionId))));

    /// <summary>The session id the principal's claim names for <paramref name="scheme"/>; null without a readable one.</summary>
    public string? Read(ClaimsPrincipal user, string scheme)
    {
        if (user.FindFirst(ClaimType(scheme))?.Value is not { Length: > 0 } value)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Protector(scheme).Unprotect(Base64UrlTextEncoder.Decode(value)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // Another key ring, or not ours: the principal names no session this app can read.
            return null;
        }
    }

    private IDataProtector Protector(string scheme) => dataProtection.CreateProtector(Purpose, scheme);
}
