*SENSE:Maximize
NAME          certify
OBJSENSE
    MAX
ROWS
 N  OBJ
 G  ge_n0_l0_0
 L  on_n0_l0_0
 L  off_n0_l0_0
 G  ge_n0_l0_1
 L  on_n0_l0_1
 L  off_n0_l0_1
 G  ge_n0_l0_2
 L  on_n0_l0_2
 L  off_n0_l0_2
 G  ge_n1_l0_0
 L  on_n1_l0_0
 L  off_n1_l0_0
 G  ge_n1_l0_1
 L  on_n1_l0_1
 L  off_n1_l0_1
 G  ge_n1_l0_2
 L  on_n1_l0_2
 L  off_n1_l0_2
 L  t_p0
 L  t_m0
 E  one_output
COLUMNS
    a_n0_l0_0  ge_n0_l0_0   1.000000000000e+00
    a_n0_l0_0  on_n0_l0_0   1.000000000000e+00
    a_n0_l0_0  off_n0_l0_0   1.000000000000e+00
    a_n0_l0_0  t_p0      -2.000000000000e+00
    a_n0_l0_0  t_m0       2.000000000000e+00
    a_n0_l0_1  ge_n0_l0_1   1.000000000000e+00
    a_n0_l0_1  on_n0_l0_1   1.000000000000e+00
    a_n0_l0_1  off_n0_l0_1   1.000000000000e+00
    a_n0_l0_1  t_p0      -1.000000000000e+00
    a_n0_l0_1  t_m0       1.000000000000e+00
    a_n0_l0_2  ge_n0_l0_2   1.000000000000e+00
    a_n0_l0_2  on_n0_l0_2   1.000000000000e+00
    a_n0_l0_2  off_n0_l0_2   1.000000000000e+00
    a_n0_l0_2  t_p0      -3.000000000000e+00
    a_n0_l0_2  t_m0       3.000000000000e+00
    a_n1_l0_0  ge_n1_l0_0   1.000000000000e+00
    a_n1_l0_0  on_n1_l0_0   1.000000000000e+00
    a_n1_l0_0  off_n1_l0_0   1.000000000000e+00
    a_n1_l0_0  t_p0       3.000000000000e+00
    a_n1_l0_0  t_m0      -3.000000000000e+00
    a_n1_l0_1  ge_n1_l0_1   1.000000000000e+00
    a_n1_l0_1  on_n1_l0_1   1.000000000000e+00
    a_n1_l0_1  off_n1_l0_1   1.000000000000e+00
    a_n1_l0_1  t_p0       2.000000000000e+00
    a_n1_l0_1  t_m0      -2.000000000000e+00
    a_n1_l0_2  ge_n1_l0_2   1.000000000000e+00
    a_n1_l0_2  on_n1_l0_2   1.000000000000e+00
    a_n1_l0_2  off_n1_l0_2   1.000000000000e+00
    a_n1_l0_2  t_p0       1.000000000000e+00
    a_n1_l0_2  t_m0      -1.000000000000e+00
    MARK      'MARKER'                 'INTORG'
    d_n0_l0_0  on_n0_l0_0   4.000000005000e+00
    d_n0_l0_0  off_n0_l0_0  -4.000000005000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    d_n0_l0_1  on_n0_l0_1   4.000000005000e+00
    d_n0_l0_1  off_n0_l0_1  -4.000000005000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    d_n0_l0_2  on_n0_l0_2   5.000000006000e+00
    d_n0_l0_2  off_n0_l0_2  -3.000000004000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    d_n1_l0_0  on_n1_l0_0   4.000000005000e+00
    d_n1_l0_0  off_n1_l0_0  -4.000000005000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    d_n1_l0_1  on_n1_l0_1   5.000000006000e+00
    d_n1_l0_1  off_n1_l0_1  -3.000000004000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    d_n1_l0_2  on_n1_l0_2   3.000000004000e+00
    d_n1_l0_2  off_n1_l0_2  -5.000000006000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    sm0       t_m0       2.000000000000e-09
    sm0       one_output   1.000000000000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    sp0       t_p0       2.000000000000e-09
    sp0       one_output   1.000000000000e+00
    MARK      'MARKER'                 'INTEND'
    t         t_p0       1.000000000000e+00
    t         t_m0       1.000000000000e+00
    t         OBJ        1.000000000000e+00
    x0        ge_n0_l0_0  -1.000000000000e+00
    x0        on_n0_l0_0  -1.000000000000e+00
    x0        ge_n0_l0_1   1.000000000000e+00
    x0        on_n0_l0_1   1.000000000000e+00
    x0        ge_n0_l0_2  -1.000000000000e+00
    x0        on_n0_l0_2  -1.000000000000e+00
    x0        ge_n1_l0_0  -1.000000000000e+00
    x0        on_n1_l0_0  -1.000000000000e+00
    x0        ge_n1_l0_1  -1.000000000000e+00
    x0        on_n1_l0_1  -1.000000000000e+00
    x0        ge_n1_l0_2   1.000000000000e+00
    x0        on_n1_l0_2   1.000000000000e+00
RHS
    RHS       ge_n0_l0_0   0.000000000000e+00
    RHS       on_n0_l0_0   4.000000005000e+00
    RHS       off_n0_l0_0   0.000000000000e+00
    RHS       ge_n0_l0_1   0.000000000000e+00
    RHS       on_n0_l0_1   4.000000005000e+00
    RHS       off_n0_l0_1   0.000000000000e+00
    RHS       ge_n0_l0_2  -1.000000000000e+00
    RHS       on_n0_l0_2   4.000000006000e+00
    RHS       off_n0_l0_2   0.000000000000e+00
    RHS       ge_n1_l0_0   0.000000000000e+00
    RHS       on_n1_l0_0   4.000000005000e+00
    RHS       off_n1_l0_0   0.000000000000e+00
    RHS       ge_n1_l0_1  -1.000000000000e+00
    RHS       on_n1_l0_1   4.000000006000e+00
    RHS       off_n1_l0_1   0.000000000000e+00
    RHS       ge_n1_l0_2   1.000000000000e+00
    RHS       on_n1_l0_2   4.000000004000e+00
    RHS       off_n1_l0_2   0.000000000000e+00
    RHS       t_p0       1.000000002000e+00
    RHS       t_m0      -9.999999980000e-01
    RHS       one_output   1.000000000000e+00
BOUNDS
 UP BND       a_n0_l0_0   4.000000005000e+00
 UP BND       a_n0_l0_1   4.000000005000e+00
 UP BND       a_n0_l0_2   3.000000004000e+00
 UP BND       a_n1_l0_0   4.000000005000e+00
 UP BND       a_n1_l0_1   3.000000004000e+00
 UP BND       a_n1_l0_2   5.000000006000e+00
 BV BND       d_n0_l0_0
 BV BND       d_n0_l0_1
 BV BND       d_n0_l0_2
 BV BND       d_n1_l0_0
 BV BND       d_n1_l0_1
 BV BND       d_n1_l0_2
 BV BND       sm0     
 BV BND       sp0     
 FR BND       t       
 LO BND       x0        -4.000000000000e+00
 UP BND       x0         4.000000000000e+00
ENDATA
