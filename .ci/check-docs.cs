// Checks the documentation's rules that no compiler sees. Run by .ci/run from the repository root as a .NET file-based
// app:  dotnet run --file .ci/check-docs.cs -- <README.md limit in bytes> <package README limit in bytes>
//  1. No Markdown file under docs/ holds a fenced C# block: the site's C# comes from docs/snippets through docfx code
//     includes ([!code-csharp[](…#region)]), so a renamed API breaks the build, not the reader.
//  2. README.md and each package's README (src/<id>/README.md, what NuGet shows) stay within their size.
//  3. Every C# block of those READMEs (NuGet renders no includes) is, character for character, a #region of a file
//     under docs/snippets once the region's common indentation is removed: the quick starts cannot drift from code
//     that compiles.
using System.Globalization;
using System.Text.RegularExpressions;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: check-docs.cs <README.md limit in bytes> <package README limit in bytes>");
    return 2;
}

var readmeLimit = long.Parse(args[0], CultureInfo.InvariantCulture);
var packageReadmeLimit = long.Parse(args[1], CultureInfo.InvariantCulture);
var fence = new Regex(@"^\s*(`{3,}|~{3,})\s*(?<lang>[^\s`{]*)", RegexOptions.CultureInvariant);
var csharp = new Regex(@"^(csharp|cs|c#)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
var failures = new List<string>();

// 1. No fenced C# in docs/ (generated and build output folders aside).
string[] skipped = ["_site", "obj", "bin", "node_modules"];
foreach (var file in Directory.EnumerateFiles("docs", "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    if (file.Split(Path.DirectorySeparatorChar).Any(skipped.Contains))
    {
        continue;
    }

    foreach (var block in Blocks(file).Where(b => csharp.IsMatch(b.Language)))
    {
        failures.Add($"{file}:{block.Line}: a fenced C# block; include the code from docs/snippets with [!code-csharp[](…#region)]");
    }
}

// 2. Sizes.
var readmes = new List<(string Path, long Limit)> { ("README.md", readmeLimit) };
readmes.AddRange(Directory.GetFiles("src", "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
    .Select(project => (Path.Combine(Path.GetDirectoryName(project)!, "README.md"), packageReadmeLimit)));
foreach (var (path, limit) in readmes)
{
    if (!File.Exists(path))
    {
        failures.Add($"{path}: missing");
    }
    else if (new FileInfo(path).Length > limit)
    {
        failures.Add($"{path}: {new FileInfo(path).Length} bytes, more than {limit}");
    }
}

// 3. README C# blocks are snippet regions.
var region = new Regex(@"^[ \t]*#region[ \t]+(?<name>\S+)[^\n]*\n(?<body>.*?)^[ \t]*#endregion", RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.Singleline);
var regions = Directory.EnumerateFiles(Path.Combine("docs", "snippets"), "*.cs", SearchOption.AllDirectories)
    .Where(file => !file.Split(Path.DirectorySeparatorChar).Any(skipped.Contains))
    .SelectMany(file => region.Matches(File.ReadAllText(file).ReplaceLineEndings("\n")).Select(m => Dedent(m.Groups["body"].Value)))
    .ToHashSet(StringComparer.Ordinal);
var checkedBlocks = 0;
foreach (var (path, _) in readmes.Where(r => File.Exists(r.Path)))
{
    foreach (var block in Blocks(path).Where(b => csharp.IsMatch(b.Language)))
    {
        checkedBlocks++;
        if (!regions.Contains(Dedent(block.Text)))
        {
            failures.Add($"{path}:{block.Line}: this C# block is no #region of docs/snippets/**/*.cs; copy it from the snippet it shows");
        }
    }
}

foreach (var failure in failures)
{
    Console.Error.WriteLine(failure);
}

if (failures.Count == 0)
{
    Console.WriteLine($"docs: no fenced C# under docs/, READMEs within size, {checkedBlocks} README C# blocks equal to snippet regions");
}

return failures.Count == 0 ? 0 : 1;

// Fenced blocks of a Markdown file: the info string's first word, the first line's number, the text inside.
IEnumerable<(string Language, int Line, string Text)> Blocks(string path)
{
    var lines = File.ReadAllText(path).ReplaceLineEndings("\n").Split('\n');
    for (var i = 0; i < lines.Length; i++)
    {
        var open = fence.Match(lines[i]);
        if (!open.Success)
        {
            continue;
        }

        var marker = open.Groups[1].Value;
        var start = i;
        var body = new List<string>();
        for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal); i++)
        {
            body.Add(lines[i]);
        }

        yield return (open.Groups["lang"].Value, start + 1, string.Join('\n', body));
    }
}

// The text without the indentation all its non-blank lines share, and without blank lines at either end.
static string Dedent(string text)
{
    var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).ToList();
    while (lines.Count > 0 && lines[0].Length == 0)
    {
        lines.RemoveAt(0);
    }

    while (lines.Count > 0 && lines[^1].Length == 0)
    {
        lines.RemoveAt(lines.Count - 1);
    }

    var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
    return string.Join('\n', lines.Select(l => l.Length == 0 ? l : l[indent..]));
}
