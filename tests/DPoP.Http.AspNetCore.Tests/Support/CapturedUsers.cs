using System.Collections.Concurrent;
using System.Security.Claims;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>The principals the app's /capture endpoint kept, by login: what an app captures for work after the request.</summary>
internal sealed class CapturedUsers
{
    private readonly ConcurrentDictionary<string, ClaimsPrincipal> _users = new(StringComparer.Ordinal);

    public void Add(ClaimsPrincipal user) => _users[user.FindFirst("sub")!.Value] = user;

    public ClaimsPrincipal Get(string login) => _users[login];
}
