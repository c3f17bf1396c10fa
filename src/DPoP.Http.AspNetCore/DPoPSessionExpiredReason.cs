namespace DPoP.Http.AspNetCore;

/// <summary>Why the signed-in user's session can no longer get a DPoP-bound access token.</summary>
public enum DPoPSessionExpiredReason
{
    /// <summary>No user is signed in with the scheme, or the sign-in did not go through DPoP.</summary>
    NotSignedIn,

    /// <summary>The session's tokens and key are not in the store (expired, evicted, or lost with an in-memory store on restart).</summary>
    SessionNotFound,

    /// <summary>The access token needs renewing and the session has no refresh token.</summary>
    NoRefreshToken,

    /// <summary>The authorization server refused the refresh token (<c>invalid_grant</c>: expired, revoked, or bound to another key).</summary>
    RefreshTokenRejected,

    /// <summary>The session was ended: the user signed out (or signed in again) in this browser or another copy of its cookie.</summary>
    SignedOut,
}
