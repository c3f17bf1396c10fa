namespace DPoP.Http.Internal;

/// <summary>
/// A request URI as it may appear in a log: its origin (scheme://host[:port]) only, never path, query or user
/// information. Formatted only when the log line is written. Null (an endpoint not discovered yet) reads as such.
/// </summary>
internal readonly struct LoggedOrigin(Uri? uri)
{
    public override string ToString() =>
        uri is null ? "(endpoint not yet discovered)" : uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
}
