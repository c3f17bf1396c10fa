namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// One HTTP request's view of the signed-in user's session: its id, its key (loaded once per request) and the
/// latest tokens this request has seen. Shared by the key and token providers of every DPoP client the request uses.
/// </summary>
internal sealed class RequestSession(string scheme, string sessionId, UserSession session, DPoPKey key)
{
    private UserSession _current = session;

    public string Scheme { get; } = scheme;

    public string SessionId { get; } = sessionId;

    public DPoPKey Key { get; } = key;

    public UserSession Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public override string ToString() => $"RequestSession {{ Scheme = {Scheme} }}";
}
