namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// One HTTP request's (or <see cref="DPoPUserScope"/>'s, or one API call's) view of the signed-in user's session: its id, its key (loaded once per request) and the
/// latest tokens this request has seen. Shared by the key and token providers of every DPoP client the request uses.
/// </summary>
internal sealed class RequestSession(string scheme, string sessionId, UserSession session, DPoPKey key, bool ownsKey = false)
{
    private UserSession _current = session;

    public string Scheme { get; } = scheme;

    public string SessionId { get; } = sessionId;

    public DPoPKey Key { get; } = key;

    /// <summary>Whether <see cref="Key"/> is this view's own copy of a per-session key, to dispose with it.</summary>
    public bool OwnsKey { get; } = ownsKey;

    public UserSession Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public override string ToString() => $"RequestSession {{ Scheme = {Scheme} }}";
}
