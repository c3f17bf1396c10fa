namespace DPoP.Http.AspNetCore;

/// <summary>
/// The signed-in user's session cannot get a DPoP-bound access token any more (see <see cref="Reason"/>): send the
/// user to sign in again (a challenge of the OpenID Connect scheme). Never answered by falling back to Bearer. The
/// message names the scheme and the reason, never a token or key.
/// </summary>
public sealed class DPoPSessionExpiredException : Exception
{
    /// <summary>Creates an exception.</summary>
    public DPoPSessionExpiredException()
        : this("The user's DPoP session has expired; sign in again.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DPoPSessionExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DPoPSessionExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Creates an exception for <paramref name="scheme"/> and <paramref name="reason"/>, as the library throws it. Public
    /// so that a fake <see cref="IDPoPUserAccessTokens"/> in the app's tests can throw what the real one throws.
    /// </summary>
    /// <param name="scheme">The OpenID Connect scheme to challenge.</param>
    /// <param name="reason">Why the session ended.</param>
    /// <param name="innerException">The cause, if any (a <see cref="DPoPTokenException"/> for <see cref="DPoPSessionExpiredReason.RefreshTokenRejected"/>).</param>
    public DPoPSessionExpiredException(string scheme, DPoPSessionExpiredReason reason, Exception? innerException = null)
        : base(Describe(scheme, reason), innerException)
    {
        Scheme = scheme;
        Reason = reason;
    }

    /// <summary>The OpenID Connect scheme whose session ended: the one to challenge for a new sign-in.</summary>
    public string? Scheme { get; }

    /// <summary>Why the session ended.</summary>
    public DPoPSessionExpiredReason Reason { get; }

    private static string Describe(string scheme, DPoPSessionExpiredReason reason) => reason switch
    {
        DPoPSessionExpiredReason.NotSignedIn => $"No user is signed in through the DPoP-enabled OpenID Connect scheme '{scheme}'; challenge it to sign in.",
        DPoPSessionExpiredReason.SessionNotFound => $"The DPoP session of scheme '{scheme}' has no tokens or key in the session store (expired, evicted or lost); the user must sign in again.",
        DPoPSessionExpiredReason.NoRefreshToken => $"The access token of scheme '{scheme}' has expired and the session has no refresh token; the user must sign in again.",
        DPoPSessionExpiredReason.RefreshTokenRejected => $"The authorization server of scheme '{scheme}' refused the session's refresh token (invalid_grant); the user must sign in again.",
        DPoPSessionExpiredReason.SignedOut => $"The DPoP session of scheme '{scheme}' was ended by a sign-out (or a new sign-in); the user must sign in again.",
        _ => $"The DPoP session of scheme '{scheme}' has ended; the user must sign in again.",
    };
}
