/* Strata dashboard: the overview's live charts. Plain JavaScript, no build step, no eval, no inline style attribute.
   Polls {prefix}/live every 5 s while the page is visible (stops while document.hidden), draws one uPlot chart per
   group of rows of the live table (jobs, rate limiting) and keeps the table's numbers current. Without this script
   the table shows the numbers of the moment the page was rendered. */
(function () {
  'use strict';

  var PollMs = 5000;
  var root = document.getElementById('live');
  if (!root || typeof window.fetch !== 'function') {
    return;
  }

  var source = root.getAttribute('data-source');
  var status = root.querySelector('[data-live-status]');
  var holder = root.querySelector('[data-charts]');
  var groups = {
    jobs: { title: 'Jobs per 5 s', colors: ['#1a7f37', '#a40e26'] },
    ratelimiting: { title: 'Rate-limit decisions per 5 s', colors: ['#0b5cad', '#bc4c00'] }
  };
  var charts = {};
  var timer = null;
  var inFlight = false;

  function rowsOf(group) {
    return Array.prototype.slice.call(root.querySelectorAll('tr[data-group="' + group + '"]'));
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function width() {
    return Math.max(280, Math.min(holder.clientWidth || 600, 900));
  }

  function makeChart(group, rows) {
    var figure = document.createElement('figure');
    figure.className = 'chart';
    var caption = document.createElement('figcaption');
    caption.textContent = groups[group].title;
    figure.appendChild(caption);
    holder.appendChild(figure);
    var series = [{}];
    rows.forEach(function (row, i) {
      series.push({
        label: row.querySelector('th').textContent,
        stroke: groups[group].colors[i % groups[group].colors.length],
        width: 2,
        points: { show: false }
      });
    });
    var options = {
      width: width(),
      height: 180,
      series: series,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { size: 50 }],
      legend: { live: true }
    };
    var empty = [[]];
    rows.forEach(function () { empty.push([]); });
    return { plot: new window.uPlot(options, empty, figure), rows: rows };
  }

  function sum(values, count) {
    var total = 0;
    for (var i = Math.max(0, values.length - count); i < values.length; i++) {
      total += values[i];
    }
    return total;
  }

  function draw(body) {
    var xs = [];
    var first = body.series[Object.keys(body.series)[0]];
    for (var i = 0; i < first.length; i++) {
      xs.push(body.start + i * body.resolutionSeconds);
    }
    Object.keys(groups).forEach(function (group) {
      var rows = rowsOf(group);
      if (rows.length === 0) {
        return;
      }
      if (!charts[group] && typeof window.uPlot === 'function') {
        charts[group] = makeChart(group, rows);
      }
      var data = [xs];
      rows.forEach(function (row) {
        var values = body.series[row.getAttribute('data-series')] || [];
        data.push(values);
        row.querySelectorAll('td[data-buckets]').forEach(function (cell) {
          cell.textContent = String(sum(values, Number(cell.getAttribute('data-buckets'))));
        });
      });
      if (charts[group]) {
        charts[group].plot.setData(data);
      }
    });
    say('Updated ' + new Date().toLocaleTimeString() + '.');
  }

  function poll() {
    if (inFlight || document.hidden) {
      return;
    }
    inFlight = true;
    fetch(source, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('the server answered ' + response.status);
        }
        return response.json();
      })
      .then(draw)
      .catch(function (error) {
        say('Could not update (' + error.message + '); the numbers shown may be old.');
      })
      .then(function () {
        inFlight = false;
      });
  }

  function start() {
    if (timer === null) {
      poll();
      timer = window.setInterval(poll, PollMs);
    }
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) {
      stop();
      say('Paused while the page is hidden.');
    } else {
      start();
    }
  });

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (group) {
      charts[group].plot.setSize({ width: width(), height: 180 });
    });
  });

  if (!document.hidden) {
    start();
  }
})();
