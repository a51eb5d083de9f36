using System.Runtime;
using ScottPlot;
using SkiaSharp;

namespace LatentSpikes.Plotting;

/// <summary>
/// Every figure file the tool writes goes through here, one at a time per process. ScottPlot/SkiaSharp rendering
/// is not safe to run concurrently: with figures rendered in parallel (the <c>figures</c> command, parallel test
/// classes) the SVG device crashed the process now and then inside <c>SkParsePath::ToSVGString</c> (a native SIGSEGV
/// reading a freed path), also with renders serialised: a garbage collection during the native call finalises a
/// Skia object the device still reads. So renders are serialised and the SVG render runs in a no-GC region.
/// Rendering is a small part of any run, so this costs little.
/// </summary>
public static class PlotOutput
{
    private static readonly Lock Gate = new();

    /// <summary>Budget of the no-GC region: far more than one figure's render allocates.</summary>
    private const long NoGcBudget = 128L << 20;

    private static bool TryStartNoGcRegion()
    {
        try
        {
            return GC.TryStartNoGCRegion(NoGcBudget);
        }
        catch (InvalidOperationException)
        {
            // Already in a no-GC region (another caller's): render as is.
            return false;
        }
    }

    /// <summary>Saves a plot as PNG.</summary>
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        lock (Gate)
        {
            plot.SavePng(path, width, height);
        }
    }

    /// <summary>Saves a multi-panel figure as PNG.</summary>
    public static void SavePng(Multiplot multiplot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(multiplot);
        lock (Gate)
        {
            multiplot.SavePng(path, width, height);
        }
    }

    /// <summary>Saves a multi-panel figure as SVG (the same layout as its PNG).</summary>
    public static void SaveSvg(Multiplot multiplot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(multiplot);
        lock (Gate)
        {
            using var stream = File.Create(path);
            bool noGc = TryStartNoGcRegion();
            try
            {
                // The SVG device writes its closing tags when the canvas is disposed, before the stream closes.
                using var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream);
                multiplot.Render(canvas, new PixelRect(0, width, height, 0));
            }
            finally
            {
                if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                {
                    GC.EndNoGCRegion();
                }
            }
        }
    }
}
