namespace DPoP.Http.Tests.Support;

/// <summary>What this runtime's IDNA makes of a host: ICU's, or the managed one under invariant globalization.</summary>
internal static class IdnaHost
{
    /// <summary>Whether <see cref="Uri.IdnHost"/> maps the host (it throws <see cref="UriFormatException"/> when IDNA refuses it).</summary>
    public static bool HasIdnaForm(Uri uri)
    {
        try
        {
            return uri.IdnHost.Length > 0;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }
}
